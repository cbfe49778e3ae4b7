using LogLikeMap.Web.Jobs;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// With workers in other processes (a shared store), the web role learns of their jobs' progress and ends only from
/// Hangfire's storage: this polls it every <see cref="Every"/> and pushes what changed to the open pages.
/// </summary>
internal sealed class RemoteJobProgress(JobMonitor monitor, TimeProvider clock, ILogger<RemoteJobProgress> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await monitor.PollAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The storage may be briefly unreachable; the next round tries again, and the pages keep the last state.
                logger.LogWarning(e, "Could not read the progress of jobs from the job storage; trying again in {Interval}.", Every);
            }
        }
    }
}
