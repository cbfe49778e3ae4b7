using System.Threading.Channels;
using Hangfire.Server;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Runs a job's body while keeping <see cref="JobMonitor"/> up to date: Running, progress, then Succeeded,
/// Failed (with the reason) or Cancelled. A run stopped because the server shuts down goes back to Queued:
/// Hangfire starts it again after the restart and the job resumes from what it stored.
/// </summary>
internal sealed class MonitoredRun
{
    private readonly JobMonitor _monitor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Progress arrives through IProgress<T>.Report, which is synchronous (Core/Scoring's batch loop, Core/Map's t-SNE
    // iterations), while telling the pages is asynchronous. Report only posts the latest state here; one forwarding
    // loop, started and awaited by RunAsync around the body, reports each to the monitor and awaits its subscribers.
    // Capacity 1, dropping the oldest: a slow page skips intermediate ticks instead of queueing them.
    private readonly Channel<JobStatus> _progress =
        Channel.CreateBounded<JobStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private JobStatus _status;

    private MonitoredRun(JobMonitor monitor, TimeProvider time, ILogger logger, JobStatus status) =>
        (_monitor, _time, _logger, _status) = (monitor, time, logger, status);

    public string JobId => _status.JobId;

    /// <summary>Records progress: texts done of the total, throughput and the time it predicts is left.</summary>
    public void Progress(int done, int total, double tokensPerSecond, TimeSpan? timeLeft)
    {
        _status = _status with
        {
            State = JobState.Running, TextsDone = done, TextsTotal = total, TokensPerSecond = tokensPerSecond,
            TimeLeft = timeLeft, Updated = _time.GetUtcNow(),
        };
        // Always succeeds: a DropOldest channel accepts every write until it is completed, which RunBodyAsync does
        // only once the body has returned.
        _progress.Writer.TryWrite(_status);
    }

    public static async Task RunAsync(
        JobMonitor monitor, TimeProvider time, ILogger logger, PerformContext? context, JobKind kind, string? modelName,
        Func<MonitoredRun, Task> body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(body);
        var jobId = context?.BackgroundJob.Id
            ?? throw new InvalidOperationException("Hangfire passes the job's PerformContext; this method runs only as a Hangfire job.");
        var previous = monitor.Get(jobId);
        var run = new MonitoredRun(monitor, time, logger,
            (previous ?? monitor.Queued(jobId, kind, modelName)) with
            {
                State = JobState.Running, Error = null, Updated = time.GetUtcNow(), Host = monitor.Place?.Host, Device = monitor.Place?.Device,
            });
        await monitor.ReportAsync(run._status);
        try
        {
            await run.RunBodyAsync(body);
            await monitor.ReportAsync(run._status with { State = JobState.Succeeded, TimeLeft = TimeSpan.Zero, Updated = time.GetUtcNow() });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            var cancelledByUser = monitor.Get(jobId)?.State == JobState.Cancelled;
            await monitor.ReportAsync(run._status with
            {
                State = cancelledByUser ? JobState.Cancelled : JobState.Queued, TimeLeft = null, Updated = time.GetUtcNow(),
            });
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await monitor.ReportAsync(run._status with { State = JobState.Failed, Error = JobErrors.Shown(e), TimeLeft = null, Updated = time.GetUtcNow() });
            throw;
        }
    }

    /// <summary>
    /// Runs the body with its progress forwarded; returns only when the last tick has been reported, so the final
    /// state reported after it is never overtaken by a late "Running".
    /// </summary>
    private async Task RunBodyAsync(Func<MonitoredRun, Task> body)
    {
        var forwarding = ForwardProgressAsync();
        try
        {
            await body(this);
        }
        finally
        {
            _progress.Writer.Complete();
            await forwarding;
        }
    }

    private async Task ForwardProgressAsync()
    {
        await foreach (var status in _progress.Reader.ReadAllAsync())
        {
            try
            {
                await _monitor.ReportAsync(status);
            }
            catch (Exception e)
            {
                // A tick that could not be recorded (the state file locked or its disk full) is only progress: the
                // next one says more, and the run's own outcome (success or the body's exception) must stand.
                _logger.LogWarning(e, "Could not record the progress of job {JobId} ({Done} of {Total}).", status.JobId, status.TextsDone, status.TextsTotal);
            }
        }
    }
}
