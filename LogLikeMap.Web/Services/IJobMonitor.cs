namespace LogLikeMap.Web.Services;

/// <summary>The last known state of a background job, as pages and the API show it.</summary>
/// <param name="Host">The host that runs or ran the job, once started.</param>
/// <param name="Device">The device it scores on ("cpu", "cuda:0"), once started.</param>
public sealed record JobStatus(
    string JobId, JobKind Kind, string? ModelName, JobState State, int TextsDone, int TextsTotal,
    double TokensPerSecond, TimeSpan? TimeLeft, string? Error, DateTimeOffset Updated, string? Host = null, string? Device = null);

/// <summary>Progress of scoring and refresh jobs, live in memory and persisted across restarts.</summary>
public interface IJobMonitor
{
    JobStatus? Get(string jobId);

    /// <summary>The most recently updated jobs, newest first.</summary>
    IReadOnlyList<JobStatus> Recent(int count);

    /// <summary>
    /// Calls <paramref name="onUpdated"/> with every job's new state (queued, progress, finished); the job that
    /// reported it awaits it. Dispose the result to stop.
    /// </summary>
    IDisposable Subscribe(Func<JobStatus, Task> onUpdated);

    /// <summary>Queues a full re-centering and t-SNE layout; returns the job id once subscribers have seen it queued.</summary>
    Task<string> EnqueueRefreshAsync();

    /// <summary>Asks a queued or running job to stop; false when the job is unknown or already finished.</summary>
    Task<bool> CancelAsync(string jobId);
}
