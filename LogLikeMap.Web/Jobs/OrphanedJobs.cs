using Hangfire;
using Hangfire.States;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Puts back in its queue every job left Processing by a server that stopped without finishing it: a crash, a kill,
/// a worker host that died. Hangfire's SQL storages hand such a job out again only after Jobs:InvisibilityTimeout,
/// which must outlast the longest scoring run (a day by default, docs/stack.md), and nothing else requeues it; the jobs
/// resume from their stored partial results, so requeueing is what lets a restart pick them up within minutes.
/// </summary>
/// <remarks>
/// A server is gone when it no longer reports or has not beaten for <see cref="SilentFor"/> (Hangfire servers beat
/// every 30 s). A job fetched again later from its old queue entry finds itself requeued or finished; its state
/// machine then runs it at most as a resumption.
/// </remarks>
internal sealed class OrphanedJobs(JobStorage storage, IBackgroundJobClient jobs, TimeProvider clock, ILogger<OrphanedJobs> logger)
    : BackgroundService
{
    internal static readonly TimeSpan SilentFor = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, clock);
        do
        {
            try
            {
                RequeueOrphans();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The storage may be briefly unreachable (a PostgreSQL restart); the next round tries again.
                logger.LogWarning(e, "Could not look for jobs left by stopped servers; trying again in {Interval}.", CheckEvery);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Requeues the orphaned jobs; returns their ids.</summary>
    internal IReadOnlyList<string> RequeueOrphans()
    {
        var monitoring = storage.GetMonitoringApi();
        var now = clock.GetUtcNow().UtcDateTime;
        var alive = monitoring.Servers()
            .Where(s => s.Heartbeat is { } beat && now - beat < SilentFor)
            .Select(s => s.Name)
            .ToHashSet(StringComparer.Ordinal);
        var processing = monitoring.ProcessingJobs(0, (int)Math.Min(int.MaxValue, monitoring.ProcessingCount()));
        var requeued = new List<string>();
        foreach (var (jobId, job) in processing)
        {
            if (job.InProcessingState && !alive.Contains(job.ServerId)
                && jobs.ChangeState(jobId, new EnqueuedState { Reason = $"Its server {job.ServerId} stopped while running it" }, ProcessingState.StateName))
            {
                logger.LogWarning("Job {JobId} was left running by the stopped server {Server}; it is queued again and resumes.", jobId, job.ServerId);
                requeued.Add(jobId);
            }
        }
        return requeued;
    }
}
