using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.Server;
using Hangfire.States;
using Hangfire.Storage;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogLikeMap.Tests.Web.Jobs;

public sealed class MonitoredRunTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string _folder = Directory.CreateTempSubdirectory("loglikemap-run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_progress_tick_that_cannot_be_recorded_neither_fails_the_run_nor_stops_later_ticks()
    {
        var storage = new BreakableStorage();
        var client = new BackgroundJobClient(storage);
        var jobId = client.Create(() => NoWork.Run(), new EnqueuedState());
        var monitor = new JobMonitor(client, storage, new DataPaths(new DataOptions { Folder = _folder, DemoMapFolder = _folder }, _folder),
            new SteppingClock(), NullLogger<JobMonitor>.Instance);
        using var connection = storage.GetConnection();
        var context = new PerformContext(storage, connection, new BackgroundJob(jobId, Job.FromExpression(() => NoWork.Run()), DateTime.UtcNow),
            new JobCancellationToken(false));

        await MonitoredRun.RunAsync(monitor, new SteppingClock(), NullLogger.Instance, context, JobKind.Score, "m", async run =>
        {
            storage.Broken = true;
            run.Progress(1, 2, 0, null);
            await storage.Refused.WaitAsync(Timeout);
            storage.Broken = false;
            run.Progress(2, 2, 0, null);
        }, CancellationToken.None);

        var status = monitor.Get(jobId);
        Assert.NotNull(status);
        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal(2, status.TextsDone);
    }

    /// <summary>Hangfire's in-memory storage, except that it refuses connections (as a full disk would) while broken.</summary>
    private sealed class BreakableStorage : JobStorage
    {
        private readonly InMemoryStorage _storage = new();
        private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private volatile bool _broken;

        public bool Broken
        {
            get => _broken;
            set => _broken = value;
        }

        public Task Refused => _refused.Task;

        public override IMonitoringApi GetMonitoringApi() => _storage.GetMonitoringApi();

        public override IStorageConnection GetConnection()
        {
            if (!Broken)
                return _storage.GetConnection();
            _refused.TrySetResult();
            throw new IOException("No space left on device.");
        }
    }

    /// <summary>Three seconds pass between readings, so that every progress tick is written (JobMonitor writes every 2 s).</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UnixEpoch.Ticks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, TimeSpan.TicksPerSecond * 3), TimeSpan.Zero);
    }
}

/// <summary>What the test's Hangfire job would run; MonitoredRun is given its body directly.</summary>
public static class NoWork
{
    public static void Run()
    {
    }
}
