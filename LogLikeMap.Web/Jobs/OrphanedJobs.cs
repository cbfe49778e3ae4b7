using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Puts back in its queue every job left Processing by a server that stopped without finishing it: a crash, a kill,
/// a worker host that died. Hangfire's SQL storages hand such a job out again only after Jobs:InvisibilityTimeout,
/// which must outlast the longest scoring run (a day by default, docs/stack.md), and nothing else requeues it; the jobs
/// resume from their stored partial results, so requeueing is what lets another worker or a restart take them over
/// within <see cref="JobsOptions.OrphanAfter"/>.
/// </summary>
/// <remarks>
/// A job is orphaned when the server named by its current Processing state (the job's own state record, read through
/// the storage connection) is gone: no longer reporting, or silent for Jobs:OrphanAfter (servers beat every
/// Jobs:ServerHeartbeat). The monitoring API's list of processing jobs is used only to find candidates: the server it
/// names can be an earlier one (issue 17 item 5: a job resumed after a crash was requeued every minute because the dead
/// server was still named), so it never decides alone.
/// </remarks>
internal sealed class OrphanedJobs(
    JobStorage storage, IBackgroundJobClient jobs, IOptions<JobsOptions> options, TimeProvider clock, ILogger<OrphanedJobs> logger)
    : BackgroundService
{
    private TimeSpan SilentFor => options.Value.OrphanAfter;

    /// <summary>A few looks per orphan window, at most a minute apart.</summary>
    private TimeSpan CheckEvery => TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, SilentFor.Ticks / 4));

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
        var servers = monitoring.Servers();
        var alive = servers
            .Where(s => s.Heartbeat is { } beat && now - beat < SilentFor)
            .Select(s => s.Name)
            .ToHashSet(StringComparer.Ordinal);
        var processing = monitoring.ProcessingJobs(0, (int)Math.Min(int.MaxValue, monitoring.ProcessingCount()));
        var requeued = new List<string>();
        using var connection = storage.GetConnection();
        foreach (var (jobId, _) in processing)
        {
            var state = connection.GetStateData(jobId);
            if (state?.Name != ProcessingState.StateName)
                continue;
            var server = state.Data.TryGetValue("ServerId", out var id) || state.Data.TryGetValue("ServerName", out id) ? id : null;
            if (server is not null && alive.Contains(server))
                continue;
            if (jobs.ChangeState(jobId, new EnqueuedState { Reason = $"Its server {server} stopped while running it" }, ProcessingState.StateName))
            {
                var beat = servers.FirstOrDefault(s => s.Name == server)?.Heartbeat;
                logger.LogWarning("Job {JobId} was left running by the stopped server {Server} (last heartbeat {Heartbeat:O}, now {Now:O}); it is queued again and resumes.",
                    jobId, server, beat, now);
                requeued.Add(jobId);
            }
        }
        return requeued;
    }
}
