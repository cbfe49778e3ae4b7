using System.Collections.Concurrent;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// The last state of every job: in memory for the pages (telling its subscribers), written to
/// <c>DataFolder/jobs/ID.json</c> so it survives a restart, and set as the Hangfire job parameter
/// "progress" so the dashboard's job page shows it too. That parameter is also how a web role learns the progress of a
/// job running on a worker process elsewhere (issue 12): <see cref="PollAsync"/> reads it, with Hangfire's state, for the
/// jobs not finished and tells the pages what changed.
/// </summary>
public sealed class JobMonitor : IJobMonitor
{
    /// <summary>Progress ticks come every few texts; the file and the dashboard need them less often.</summary>
    private static readonly TimeSpan PersistEvery = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, JobStatus> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _persisted = new(StringComparer.Ordinal);

    /// <summary>Jobs known from the state files of an earlier run, which an in-memory job queue has forgotten.</summary>
    private readonly HashSet<string> _fromEarlierRuns = new(StringComparer.Ordinal);
    private readonly IBackgroundJobClient _client;
    private readonly JobStorage _storage;
    private readonly DataPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<JobMonitor> _logger;
    private readonly Subscribers<JobStatus> _updated;

    public JobMonitor(
        IBackgroundJobClient client, JobStorage storage, DataPaths paths, TimeProvider time, ILogger<JobMonitor> logger, WorkerPlace? place = null)
    {
        (_client, _storage, _paths, _time, _logger, Place) = (client, storage, paths, time, logger, place);
        _updated = new Subscribers<JobStatus>(logger);
        foreach (var file in Directory.EnumerateFiles(paths.JobsFolder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<JobStatus>(File.ReadAllText(file), Json) is { } status)
                {
                    _jobs[status.JobId] = status;
                    _fromEarlierRuns.Add(status.JobId);
                }
            }
            catch (JsonException e)
            {
                logger.LogWarning(e, "Ignoring the unreadable job state file {File}.", file);
            }
        }
    }

    /// <summary>Where the jobs this process runs are run: its host and scoring device.</summary>
    public WorkerPlace? Place { get; }

    public IDisposable Subscribe(Func<JobStatus, Task> onUpdated) => _updated.Subscribe(onUpdated);

    /// <summary>
    /// Brings every unfinished job up to date with Hangfire's state and the progress its worker, perhaps in another
    /// process, recorded there; tells the subscribers of each job that changed.
    /// </summary>
    public async Task PollAsync()
    {
        foreach (var status in _jobs.Values.Where(j => !j.State.IsFinished()).ToArray())
        {
            var now = FollowHangfire(status);
            if (now != status)
                await _updated.PublishAsync(now);
        }
    }

    public JobStatus? Get(string jobId) => _jobs.TryGetValue(jobId, out var status) ? FollowHangfire(status) : null;

    /// <summary>Whether this process holds a record of the job (without asking Hangfire).</summary>
    public bool Knows(string jobId) => _jobs.ContainsKey(jobId);

    /// <summary>
    /// A job placing a model of this name that has not finished (queued, running, or waiting for a restart), if any:
    /// its placement would find the name taken by the other's.
    /// </summary>
    public JobStatus? UnfinishedScoringOf(string modelName) =>
        _jobs.Values.Where(j => (j.Kind is JobKind.Score or JobKind.Place) && j.ModelName == modelName && !j.State.IsFinished())
            .Select(FollowHangfire).FirstOrDefault(j => !j.State.IsFinished());

    public IReadOnlyList<JobStatus> Recent(int count) =>
        [.. _jobs.Values.Select(FollowHangfire).OrderByDescending(j => j.Updated).Take(count)];

    public async Task<string> EnqueueRefreshAsync()
    {
        var jobId = _client.Enqueue<RefreshMapJob>(job => job.RunAsync(null, CancellationToken.None));
        await ReportQueuedAsync(jobId, JobKind.Refresh, modelName: null);
        return jobId;
    }

    public async Task<bool> CancelAsync(string jobId)
    {
        if (Get(jobId) is not { } status || status.State.IsFinished())
            return false;
        // Deleting the job fires the CancellationToken Hangfire passed to it (checked every few seconds).
        if (!_client.Delete(jobId))
            return false;
        await ReportAsync(status with { State = JobState.Cancelled, TimeLeft = null, Updated = _time.GetUtcNow() });
        return true;
    }

    public JobStatus Queued(string jobId, JobKind kind, string? modelName) =>
        new(jobId, kind, modelName, JobState.Queued, 0, 0, 0, null, null, _time.GetUtcNow());

    /// <summary>
    /// Records a job just enqueued. Its worker may already have reported (it can start before Enqueue returns),
    /// so this never overwrites a state that is there.
    /// </summary>
    public async Task ReportQueuedAsync(string jobId, JobKind kind, string? modelName)
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
            (_, previous) => previous.State == JobState.Cancelled ? previous : status);
        var previousWrite = _persisted.GetValueOrDefault(stored.JobId);
        if (stored.State != JobState.Running || stored.Updated - previousWrite >= PersistEvery)
        {
            _persisted[stored.JobId] = stored.Updated;
            Persist(stored);
        }
        return _updated.PublishAsync(stored);
    }

    /// <summary>
    /// The record of an unfinished job, corrected by what Hangfire knows: a job can end without its worker saying so
    /// (it failed before the run started, its state file could not be written on a full disk, it ended while this server
    /// was down). A record that says finished is the worker's own word and stands.
    /// </summary>
    private JobStatus FollowHangfire(JobStatus status)
    {
        if (status.State.IsFinished())
            return status;
        JobStatus? actual;
        try
        {
            actual = HangfireView(status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The storage may be briefly unreachable (a PostgreSQL restart); the record stands until the next look.
            _logger.LogDebug(e, "Could not read Hangfire's state of job {JobId}.", status.JobId);
            return status;
        }
        if (actual is null)
            return status;
        var stored = _jobs.AddOrUpdate(status.JobId, actual, (_, previous) => previous.State.IsFinished() ? previous : actual);
        if (stored.State.IsFinished())
            Persist(stored);
        return stored;
    }

    /// <summary>What Hangfire says of the job where it differs from the record; null when it agrees.</summary>
    private JobStatus? HangfireView(JobStatus status)
    {
        using var connection = _storage.GetConnection();
        var job = connection.GetJobData(status.JobId);
        var now = _time.GetUtcNow();
        var state = job?.State;
        if (state is null && !_fromEarlierRuns.Contains(status.JobId))
            return null;
        if (state is null)
        {
            return status with
            {
                State = JobState.Failed, TimeLeft = null, Updated = now,
                Error = "The job queue no longer holds this job (it was kept in memory and the server restarted). Upload or refresh again.",
            };
        }
        if (state == FailedState.StateName)
        {
            var failure = connection.GetStateData(status.JobId)?.Data;
            return status with
            {
                State = JobState.Failed, TimeLeft = null, Updated = now,
                Error = status.Error ?? JobErrors.Shown(ValueOf(failure, "ExceptionType"), ValueOf(failure, "ExceptionMessage")),
            };
        }
        if (state == SucceededState.StateName)
            return status with { State = JobState.Succeeded, TimeLeft = TimeSpan.Zero, Updated = now };
        if (state == DeletedState.StateName)
            return status with { State = JobState.Cancelled, TimeLeft = null, Updated = now };
        // Put back in its queue (after a crash): it resumes from what it stored.
        if (status.State == JobState.Running && (state == EnqueuedState.StateName || state == ScheduledState.StateName))
            return status with { State = JobState.Queued, TimeLeft = null, Updated = now };
        // Running, perhaps in another process: the progress its worker last recorded, when newer than the record here.
        if (state == ProcessingState.StateName && connection.GetJobParameter(status.JobId, "progress") is { } json
            && JsonSerializer.Deserialize<JobStatus>(json, Json) is { } recorded && recorded.Updated > status.Updated && !recorded.State.IsFinished())
        {
            return recorded;
        }
        return null;
    }

    private static string? ValueOf(IDictionary<string, string>? data, string key) =>
        data is not null && data.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// Writes the state file and the dashboard's parameter. Both only mirror the state held here (and Hangfire's own
    /// record is read back after a restart), so a full disk or a busy database is logged, never thrown into the job.
    /// </summary>
    private void Persist(JobStatus status)
    {
        var json = JsonSerializer.Serialize(status, Json);
        var file = Path.Combine(_paths.JobsFolder, FileNameOf(status.JobId));
        var temporary = file + ".tmp";
        try
        {
            File.WriteAllText(temporary, json);
            File.Move(temporary, file, overwrite: true);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Could not write the state file of job {JobId} ({State}); Hangfire's record stands in for it.", status.JobId, status.State);
            File.Delete(temporary);
        }
        try
        {
            using var connection = _storage.GetConnection();
            connection.SetJobParameter(status.JobId, "progress", json);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The job may already be deleted from Hangfire's storage (cancelled), or its database be full; the file
            // and the state held here keep the state.
            _logger.LogDebug(e, "Could not set the progress parameter of job {JobId}.", status.JobId);
        }
    }

    private static string FileNameOf(string jobId) =>
        string.Concat(jobId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')) + ".json";
}
