using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Loads the map before the app answers requests, so the first page already shows it.
/// </summary>
internal sealed class MapStartup(ModelMapService map, DataPaths paths, ILogger<MapStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(paths.DemoMapFolder))
        {
            logger.LogWarning("The demo map folder {Folder} does not exist; the map starts empty.", paths.DemoMapFolder);
            return;
        }
        var started = TimeProvider.System.GetTimestamp();
        var folder = await DemoMapFolder.ReadAsync(paths.DemoMapFolder, cancellationToken);
        map.Publish(MapStateBuilder.Build(folder, Path.GetFileName(paths.DemoMapFolder), version: 1));
        logger.LogInformation("Map of {Models} models x {Texts} texts ready in {Elapsed}.",
            folder.Models.Count, folder.Texts.Count, TimeProvider.System.GetElapsedTime(started));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
