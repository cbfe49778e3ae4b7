using System.ComponentModel.DataAnnotations;
using LogLikeMap.Scoring;

namespace LogLikeMap.Web.Jobs;

/// <summary>Background jobs (configuration section "Jobs").</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>The settings when the configuration gives none.</summary>
    public static JobsOptions Default { get; } = new();

    /// <summary>
    /// What this process does (issue 12): Web (pages, API, the map queue), Worker (only the scoring queue and /healthz;
    /// one per GPU) or both, the embedded default.
    /// </summary>
    public JobRoles Roles { get; set; } = JobRoles.Web | JobRoles.Worker;

    /// <summary>Where Hangfire keeps its queue: Sqlite (embedded default), PostgreSql, or InMemory (tests).</summary>
    public JobStorageKind Storage { get; set; } = JobStorageKind.Sqlite;

    /// <summary>PostgreSql: required. Sqlite: a file path (default <c>DataFolder/jobs.db</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How often idle workers look for new jobs. Hangfire.Storage.SQLite's default, 15 s, makes an upload
    /// wait visibly before it starts (docs/stack.md).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a fetched job stays invisible to other workers. Hangfire.Storage.SQLite re-runs any job
    /// still running after this (default 30 min, docs/stack.md), so it must exceed the longest scoring run;
    /// the jobs also resume from stored partial results and are idempotent should it happen anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Workers for map refreshes and other light jobs; scoring always has exactly one (torch threads are process-wide).</summary>
    [Range(1, 16)]
    public int MapWorkerCount { get; set; } = 1;

    /// <summary>Queue a full refresh as soon as an upload is placed (off: refresh by hand or on the schedule, so
    /// placed models are shown among unmoved others until then).</summary>
    public bool RefreshAfterPlacement { get; set; }

    /// <summary>The dtype uploads are scored in; float32 gives the reference numbers.</summary>
    public ScoringPrecision ScoringPrecision { get; set; } = ScoringPrecision.Float32;

    /// <summary>Cpu, or Cuda on a host built with -p:TorchBackend=cuda.</summary>
    public ScoringDevice ScoringDevice { get; set; } = ScoringDevice.Cpu;

    /// <summary>With Cuda: which GPU (cuda:N) this worker scores on; one worker process per GPU.</summary>
    [Range(0, 63)]
    public int ScoringDeviceIndex { get; set; }

    /// <summary>
    /// With a shared store (PostgreSQL for both the store and Hangfire): texts per chunk of scores written to the store as
    /// each chunk finishes, so a job taken over by another worker loses at most one chunk. Batching is per chunk, so
    /// any split of the chunks among workers gives the same numbers.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ScoringChunkTexts { get; set; } = 64;

    /// <summary>With a shared store: scoring jobs per upload, each a contiguous range of the chunks, for any worker to take.</summary>
    [Range(1, 1024)]
    public int ScoringShards { get; set; } = 1;

    /// <summary>A pause after each stored chunk. For tests that must stop a worker mid-job; zero otherwise.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ScoringChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How often each Hangfire server reports that it is alive (Hangfire's default is 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan ServerHeartbeat { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A job is orphaned when the server processing it has not reported for this long; it is then queued again and
    /// resumes from its stored partial results. Must be several heartbeats.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The most memory, in bytes, a model may need to be scored (weights in the scoring dtype plus one staged tensor);
    /// larger checkpoints are refused at upload. Unset: the memory .NET sees for the process.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? MaxModelBytes { get; set; }

    /// <summary>
    /// libtorch's CPU threads while scoring on the CPU; all cores when unset. Two CPU workers on one host each take every
    /// core by default and then contend for them (issue 12's measurement): give each its share, e.g. 1 with one worker per core.
    /// </summary>
    [Range(1, 1024)]
    public int? ScoringThreads { get; set; }

    /// <summary>Batch size x longest text per batch while scoring.</summary>
    [Range(1, 1 << 24)]
    public int ScoringMaxBatchTokens { get; set; } = 8192;

    /// <summary>A cron expression for a recurring full refresh (e.g. "0 3 * * *"); empty for none.</summary>
    public string? RefreshSchedule { get; set; }
}

/// <summary>What a process of the app does; see <see cref="JobsOptions.Roles"/>.</summary>
[Flags]
public enum JobRoles
{
    /// <summary>Pages, API, map refreshes and placements.</summary>
    Web = 1,

    /// <summary>Scores checkpoints from the scoring queue.</summary>
    Worker = 2,
}

public enum JobStorageKind
{
    Sqlite,
    PostgreSql,
    InMemory,
}
