using System.Threading.Channels;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Analysis;

/// <summary>
/// Recomputes the map's findings in the background after every change of the map (a layout, a placed upload, a
/// removal) and after each scores import, so a page rarely waits for them; a burst of changes is computed once.
/// </summary>
public sealed class AnalysisRefresh(IModelMapService map, MapAnalysis analysis, ILogger<AnalysisRefresh> logger) : BackgroundService
{
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a recomputation (the scores changed); returns at once.</summary>
    public void Request() => _changes.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = map.Subscribe(() =>
        {
            Request();
            return Task.CompletedTask;
        });
        Request();
        await foreach (var _ in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await analysis.FindingsAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The pages show the same failure when they ask; the app goes on serving the map.
                logger.LogError(e, "Computing the map's benchmark prediction, leakage checks and trajectories failed.");
            }
        }
    }
}
