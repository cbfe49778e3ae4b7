using Hangfire;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// With workers in other processes (a shared store), the web role learns of their jobs' progress and ends only from
/// Hangfire's storage: this polls it every <see cref="Every"/> and pushes what changed to the open pages. It also looks
/// there for the queued and running scoring jobs that another process queued (<c>loglikemap queue</c>), which this role
/// has no record of, and adds them under their model's name; a job queued and finished between two looks is not seen.
/// </summary>
internal sealed class RemoteJobProgress(
    JobMonitor monitor, JobStorage storage, UploadStore uploads, TimeProvider clock, ILogger<RemoteJobProgress> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    /// <summary>How many queued and how many running jobs are looked through each time.</summary>
    private const int DiscoverWindow = 200;

    /// <summary>Jobs looked at once and not recorded (not upload scoring, or their upload gone): not looked up again.</summary>
    private readonly HashSet<string> _passedOver = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // Each on its own: jobs found elsewhere must not stop the progress of the known ones, nor the other way.
            try
            {
                await DiscoverAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not look for jobs queued elsewhere in the job storage; trying again in {Interval}.", Every);
            }
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

    /// <summary>Records the queued and running upload-scoring jobs that are not known here.</summary>
    private async Task DiscoverAsync(CancellationToken ct)
    {
        var monitoring = storage.GetMonitoringApi();
        var jobs = monitoring.EnqueuedJobs(JobsRegistration.ScoringQueue, 0, DiscoverWindow).Select(j => (Id: j.Key, j.Value.Job))
            .Concat(monitoring.ProcessingJobs(0, DiscoverWindow).Select(j => (Id: j.Key, j.Value.Job)));
        foreach (var (jobId, job) in jobs)
        {
            if (monitor.Knows(jobId) || _passedOver.Contains(jobId))
                continue;
            if (job?.Type != typeof(ScoreUploadShardJob) || job.Args[0] is not string uploadId)
            {
                _passedOver.Add(jobId);
                continue;
            }
            StoredUploadManifest? manifest;
            try
            {
                manifest = await StoredUploadManifest.TryReadAsync(uploads, uploadId, ct);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
            {
                logger.LogWarning(e, "The stored manifest of upload {UploadId} (job {JobId}) cannot be read; the job is not listed here.", uploadId, jobId);
                manifest = null;
            }
            // An upload missing from the store is the job's own failure to report, when it runs.
            if (manifest is null)
                _passedOver.Add(jobId);
            else
                await monitor.ReportQueuedAsync(jobId, JobKind.Score, manifest.Upload.ModelName);
        }
    }
}
