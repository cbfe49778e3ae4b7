using System.Collections.Concurrent;
using System.Text.Json;
using Hangfire;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// The last state of every job: in memory for the pages (telling its subscribers), written to
/// <c>DataFolder/jobs/ID.json</c> so it survives a restart, and set as the Hangfire job parameter
/// "progress" so the dashboard's job page shows it too.
/// </summary>
public sealed class JobMonitor : IJobMonitor
{
    /// <summary>Progress ticks come every few texts; the file and the dashboard need them less often.</summary>
    private static readonly TimeSpan PersistEvery = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, JobStatus> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _persisted = new(StringComparer.Ordinal);
    private readonly IBackgroundJobClient _client;
    private readonly JobStorage _storage;
    private readonly DataPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<JobMonitor> _logger;
    private readonly Subscribers<JobStatus> _updated;

    public JobMonitor(IBackgroundJobClient client, JobStorage storage, DataPaths paths, TimeProvider time, ILogger<JobMonitor> logger)
    {
        (_client, _storage, _paths, _time, _logger) = (client, storage, paths, time, logger);
        _updated = new Subscribers<JobStatus>(logger);
        foreach (var file in Directory.EnumerateFiles(paths.JobsFolder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<JobStatus>(File.ReadAllText(file), Json) is { } status)
                    _jobs[status.JobId] = status;
            }
            catch (JsonException e)
            {
                logger.LogWarning(e, "Ignoring the unreadable job state file {File}.", file);
            }
        }
    }

    public IDisposable Subscribe(Func<JobStatus, Task> onUpdated) => _updated.Subscribe(onUpdated);

    public JobStatus? Get(string jobId) => _jobs.GetValueOrDefault(jobId);

    /// <summary>
    /// A job placing a model of this name that has not finished (queued, running, or waiting for a restart), if any:
    /// its placement would find the name taken by the other's.
    /// </summary>
    public JobStatus? UnfinishedScoringOf(string modelName) =>
        _jobs.Values.FirstOrDefault(j => j.Kind == JobKinds.Score && j.ModelName == modelName && !JobStates.IsFinished(j.State));

    public IReadOnlyList<JobStatus> Recent(int count) =>
        [.. _jobs.Values.OrderByDescending(j => j.Updated).Take(count)];

    public async Task<string> EnqueueRefreshAsync()
    {
        var jobId = _client.Enqueue<RefreshMapJob>(job => job.RunAsync(null, CancellationToken.None));
        await ReportQueuedAsync(jobId, JobKinds.Refresh, modelName: null);
        return jobId;
    }

    public async Task<bool> CancelAsync(string jobId)
    {
        if (Get(jobId) is not { } status || JobStates.IsFinished(status.State))
            return false;
        // Deleting the job fires the CancellationToken Hangfire passed to it (checked every few seconds).
        if (!_client.Delete(jobId))
            return false;
        await ReportAsync(status with { State = JobStates.Cancelled, TimeLeft = null, Updated = _time.GetUtcNow() });
        return true;
    }

    public JobStatus Queued(string jobId, string kind, string? modelName) =>
        new(jobId, kind, modelName, JobStates.Queued, 0, 0, 0, null, null, _time.GetUtcNow());

    /// <summary>
    /// Records a job just enqueued. Its worker may already have reported (it can start before Enqueue returns),
    /// so this never overwrites a state that is there.
    /// </summary>
    public async Task ReportQueuedAsync(string jobId, string kind, string? modelName)
    {
        var status = Queued(jobId, kind, modelName);
        if (_jobs.TryAdd(jobId, status))
        {
            Persist(status);
            await _updated.PublishAsync(status);
        }
    }

    /// <summary>
    /// Records a new state; a job already cancelled stays cancelled whatever its worker reports last. Completes once
    /// every subscriber has seen it.
    /// </summary>
    public Task ReportAsync(JobStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var stored = _jobs.AddOrUpdate(status.JobId, status,
            (_, previous) => previous.State == JobStates.Cancelled ? previous : status);
        var previousWrite = _persisted.GetValueOrDefault(stored.JobId);
        if (stored.State != JobStates.Running || stored.Updated - previousWrite >= PersistEvery)
        {
            _persisted[stored.JobId] = stored.Updated;
            Persist(stored);
        }
        return _updated.PublishAsync(stored);
    }

    private void Persist(JobStatus status)
    {
        var json = JsonSerializer.Serialize(status, Json);
        var file = Path.Combine(_paths.JobsFolder, FileNameOf(status.JobId));
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, file, overwrite: true);
        try
        {
            using var connection = _storage.GetConnection();
            connection.SetJobParameter(status.JobId, "progress", json);
        }
        catch (InvalidOperationException e)
        {
            // The job may already be deleted from Hangfire's storage (cancelled); the file keeps the state.
            _logger.LogDebug(e, "Could not set the progress parameter of job {JobId}.", status.JobId);
        }
    }

    private static string FileNameOf(string jobId) =>
        string.Concat(jobId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')) + ".json";
}
