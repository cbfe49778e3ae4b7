using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Recomputes clipping, centering and the full t-SNE layout over every model, and stores it as a new layout
/// version (provisional placements become exact). Safe to run twice: the second run of the same job id sees
/// it already succeeded and returns.
/// </summary>
public sealed class RefreshMapJob(MapMaintenance maintenance, JobMonitor monitor, TimeProvider time, ILogger<RefreshMapJob> logger)
{
    // A failed run is shown with its reason rather than silently retried; a retry is a new upload or refresh.
    [AutomaticRetry(Attempts = 0)]
    [Queue(JobsRegistration.MapQueue)]
    [DisplayName("Refresh the map layout")]
    public Task RunAsync(PerformContext? context, CancellationToken cancellationToken)
    {
        if (context is not null && monitor.Get(context.BackgroundJob.Id)?.State == JobState.Succeeded)
            return Task.CompletedTask;
        return MonitoredRun.RunAsync(monitor, time, logger, context, JobKind.Refresh, modelName: null,
            run => maintenance.RefreshAsync(new LayoutProgress(run), cancellationToken), cancellationToken);
    }

    /// <summary>t-SNE iterations stand in for "texts done": the refresh's unit of progress.</summary>
    private sealed class LayoutProgress(MonitoredRun run) : IProgress<MapProgress>
    {
        public void Report(MapProgress value)
        {
            if (value.Stage == MapStage.Layout && value.Iterations > 0)
                run.Progress(value.Iteration, value.Iterations, 0, null);
        }
    }
}
