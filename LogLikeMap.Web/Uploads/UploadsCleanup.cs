using Hangfire;
using Hangfire.Storage;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Frees the disk of uploads that no job will read again: once a model is placed, or its job failed, was cancelled or
/// was lost, its checkpoint and scores are in the store or of no use (a retry is a new upload), yet they stayed on disk
/// for ever. Each such folder keeps only <c>upload.json</c> and the <c>placed</c> marker (a few hundred bytes), so a
/// second run of its job still finds it placed and changes nothing. Partial folders left by an upload that never finished
/// (a closed tab, a lost connection, a crash) go too: at start-up every one written to before the app started, later any
/// that has not been written to for <see cref="PartialAbandonedAfter"/>.
/// </summary>
/// <remarks>
/// An upload is needed while a job that has not finished names it: queued, running, or left running by a stopped server
/// (the orphan watcher requeues those). Hangfire's lists of such jobs are the authority, read every
/// <see cref="CheckEvery"/>. A folder younger than <see cref="Grace"/> is left alone: between its commit and its
/// job's enqueueing no job names it yet.
/// </remarks>
internal sealed class UploadsCleanup(DataPaths paths, JobStorage storage, TimeProvider clock, ILogger<UploadsCleanup> logger) : BackgroundService
{
    internal static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(10);

    internal static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    /// <summary>An upload still being received writes to its partial folder every 64 KiB; an hour's silence means it died.</summary>
    internal static readonly TimeSpan PartialAbandonedAfter = TimeSpan.FromHours(1);

    /// <summary>No upload of this run wrote before it started: older partial folders belong to a run that has ended.</summary>
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    /// <summary>What a finished upload keeps.</summary>
    private static readonly string[] Kept = ["upload.json", "placed"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, clock);
        do
        {
            try
            {
                Sweep();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The job storage may be briefly unreachable, or a file held open; the next round tries again.
                logger.LogWarning(e, "Could not clean up finished uploads; trying again in {Interval}.", CheckEvery);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Trims every finished upload; returns the ids of those trimmed this time.</summary>
    internal IReadOnlyList<string> Sweep()
    {
        if (UploadsOfUnfinishedJobs() is not { } needed)
            return [];
        var now = clock.GetUtcNow();
        var trimmed = new List<string>();
        foreach (var folder in new DirectoryInfo(paths.UploadsFolder).EnumerateDirectories())
        {
            var age = now - folder.LastWriteTimeUtc;
            if (folder.Name.EndsWith(".partial", StringComparison.Ordinal))
            {
                var newest = Newest(folder);
                if (newest < _startedAt || now - newest > PartialAbandonedAfter)
                {
                    folder.Delete(recursive: true);
                    logger.LogInformation("Removed the abandoned partial upload {Folder} (last written {LastWritten:u}).", folder.Name, newest);
                }
                continue;
            }
            if (needed.Contains(folder.Name) || age < Grace || !Trim(folder))
                continue;
            trimmed.Add(folder.Name);
            logger.LogInformation("Upload {UploadId} is finished; its files were removed, its manifest kept.", folder.Name);
        }
        return trimmed;
    }

    /// <summary>Deletes all but the kept files; false when there was nothing else.</summary>
    private static bool Trim(DirectoryInfo folder)
    {
        var removed = false;
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            if (Kept.Contains(entry.Name, StringComparer.Ordinal))
                continue;
            if (entry is DirectoryInfo directory)
                directory.Delete(recursive: true);
            else
                entry.Delete();
            removed = true;
        }
        return removed;
    }

    private static DateTimeOffset Newest(DirectoryInfo folder) =>
        folder.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Select(e => (DateTimeOffset)e.LastWriteTimeUtc)
            .Append(folder.LastWriteTimeUtc).Max();

    /// <summary>
    /// The upload ids named by scoring jobs that have not finished; null when one of them cannot be read (then nothing is
    /// trimmed this round rather than risk a folder some job still needs).
    /// </summary>
    private HashSet<string>? UploadsOfUnfinishedJobs()
    {
        var monitoring = storage.GetMonitoringApi();
        var jobs = new List<Hangfire.Common.Job?>();
        foreach (var queue in monitoring.Queues())
        {
            jobs.AddRange(monitoring.EnqueuedJobs(queue.Name, 0, (int)Math.Min(int.MaxValue, monitoring.EnqueuedCount(queue.Name))).Select(j => j.Value.Job));
            jobs.AddRange(monitoring.FetchedJobs(queue.Name, 0, (int)Math.Min(int.MaxValue, monitoring.FetchedCount(queue.Name))).Select(j => j.Value.Job));
        }
        jobs.AddRange(monitoring.ProcessingJobs(0, (int)Math.Min(int.MaxValue, monitoring.ProcessingCount())).Select(j => j.Value.Job));
        jobs.AddRange(monitoring.ScheduledJobs(0, (int)Math.Min(int.MaxValue, monitoring.ScheduledCount())).Select(j => j.Value.Job));
        if (jobs.Any(j => j is null))
            return null;
        return [.. jobs.Where(j => j!.Type == typeof(ScoreCheckpointJob)).Select(j => j!.Args[0]).OfType<string>()];
    }
}
