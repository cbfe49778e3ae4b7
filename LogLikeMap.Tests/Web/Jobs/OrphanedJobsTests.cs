using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Hangfire.Storage.SQLite;
using LogLikeMap.Web.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Tests.Web.Jobs;

/// <summary>
/// Jobs left running by a server that stopped, on the embedded default storage (Hangfire.Storage.SQLite), where a
/// fetched job would otherwise stay invisible for Jobs:InvisibilityTimeout (a day).
/// </summary>
public sealed class OrphanedJobsTests : IDisposable
{
    private static readonly IOptions<JobsOptions> Options = Microsoft.Extensions.Options.Options.Create(new JobsOptions());

    private readonly string _folder = Directory.CreateTempSubdirectory("loglikemap-orphans-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_job_whose_server_stopped_is_queued_again_on_its_own_queue_and_a_live_servers_job_is_left_alone()
    {
        using var storage = new SQLiteStorage(Path.Combine(_folder, "jobs.db"), new SQLiteStorageOptions());
        var client = new BackgroundJobClient(storage);
        var orphan = client.Enqueue<ScoreCheckpointJob>(job => job.RunAsync("upload-1", null, CancellationToken.None));
        var running = client.Enqueue<ScoreCheckpointJob>(job => job.RunAsync("upload-2", null, CancellationToken.None));
        using (var connection = storage.GetConnection())
        {
            // The live server reports now; the stopped one (the process before a crash) never will again.
            connection.AnnounceServer("live-host:scoring:1", new ServerContext { Queues = [JobsRegistration.ScoringQueue], WorkerCount = 1 });
        }
        Assert.True(client.ChangeState(orphan, new RunningOn("crashed-host:scoring:1"), EnqueuedState.StateName));
        Assert.True(client.ChangeState(running, new RunningOn("live-host:scoring:1"), EnqueuedState.StateName));

        var requeued = new OrphanedJobs(storage, client, Options, TimeProvider.System, NullLogger<OrphanedJobs>.Instance).RequeueOrphans();

        Assert.Equal([orphan], requeued);
        var monitoring = storage.GetMonitoringApi();
        Assert.Equal(EnqueuedState.StateName, monitoring.JobDetails(orphan).History[0].StateName);
        Assert.Contains(monitoring.EnqueuedJobs(JobsRegistration.ScoringQueue, 0, 10), j => j.Key == orphan);
        Assert.Equal(ProcessingState.StateName, monitoring.JobDetails(running).History[0].StateName);
    }

    [Fact]
    public void A_server_silent_for_longer_than_its_heartbeats_allow_counts_as_stopped()
    {
        using var storage = new SQLiteStorage(Path.Combine(_folder, "jobs.db"), new SQLiteStorageOptions());
        var client = new BackgroundJobClient(storage);
        var job = client.Enqueue<ScoreCheckpointJob>(j => j.RunAsync("upload-1", null, CancellationToken.None));
        using (var connection = storage.GetConnection())
            connection.AnnounceServer("frozen-host:scoring:1", new ServerContext { Queues = [JobsRegistration.ScoringQueue], WorkerCount = 1 });
        client.ChangeState(job, new RunningOn("frozen-host:scoring:1"), EnqueuedState.StateName);
        var later = new ShiftedClock(Options.Value.OrphanAfter + TimeSpan.FromSeconds(30));

        var requeued = new OrphanedJobs(storage, client, Options, later, NullLogger<OrphanedJobs>.Instance).RequeueOrphans();

        Assert.Equal([job], requeued);
    }

    [Fact]
    public void A_job_resumed_by_a_live_server_after_its_first_server_died_is_left_alone()
    {
        // Issue 17 item 5: once requeued and started again by a live server, the job must not be requeued every round
        // because an earlier state of it still names the dead server.
        using var storage = new SQLiteStorage(Path.Combine(_folder, "jobs.db"), new SQLiteStorageOptions());
        var client = new BackgroundJobClient(storage);
        var job = client.Enqueue<ScoreCheckpointJob>(j => j.RunAsync("upload-1", null, CancellationToken.None));
        using (var connection = storage.GetConnection())
            connection.AnnounceServer("live-host:scoring:2", new ServerContext { Queues = [JobsRegistration.ScoringQueue], WorkerCount = 1 });
        client.ChangeState(job, new RunningOn("crashed-host:scoring:1"), EnqueuedState.StateName);
        var watcher = new OrphanedJobs(storage, client, Options, TimeProvider.System, NullLogger<OrphanedJobs>.Instance);
        Assert.Equal([job], watcher.RequeueOrphans());
        Assert.True(client.ChangeState(job, new RunningOn("live-host:scoring:2"), EnqueuedState.StateName));

        var again = watcher.RequeueOrphans();

        Assert.Empty(again);
        Assert.Equal(ProcessingState.StateName, storage.GetMonitoringApi().JobDetails(job).History[0].StateName);
    }

    /// <summary>
    /// The Processing state a worker of <paramref name="server"/> records when it starts a job (the data Hangfire's
    /// ProcessingState writes; its constructor is internal to Hangfire).
    /// </summary>
    private sealed class RunningOn(string server) : IState
    {
        public string Name => ProcessingState.StateName;

        public string? Reason => null;

        public bool IsFinal => false;

        public bool IgnoreJobLoadException => false;

        public Dictionary<string, string> SerializeData() => new()
        {
            ["StartedAt"] = JobHelper.SerializeDateTime(DateTime.UtcNow),
            ["ServerId"] = server,
            ["WorkerId"] = "worker-1",
        };
    }

    /// <summary>The real clock moved on by a fixed span: the server's last heartbeat lies that far in the past.</summary>
    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }
}
