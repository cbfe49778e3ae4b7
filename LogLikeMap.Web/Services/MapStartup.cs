
namespace LogLikeMap.Web.Services;

/// <summary>Loads the map before the app answers requests, so the first page already shows it.</summary>
internal sealed class MapStartup(MapMaintenance maintenance) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => maintenance.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
