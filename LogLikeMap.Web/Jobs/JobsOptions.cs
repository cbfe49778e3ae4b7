using System.ComponentModel.DataAnnotations;
using LogLikeMap.Scoring;

namespace LogLikeMap.Web.Jobs;

/// <summary>Background jobs (configuration section "Jobs").</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

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

    /// <summary>
    /// The most memory, in bytes, a model may need to be scored (weights in the scoring dtype plus one staged tensor);
    /// larger checkpoints are refused at upload. Unset: the memory .NET sees for the process.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? MaxModelBytes { get; set; }

    /// <summary>Batch size x longest text per batch while scoring.</summary>
    [Range(1, 1 << 24)]
    public int ScoringMaxBatchTokens { get; set; } = 8192;

    /// <summary>A cron expression for a recurring full refresh (e.g. "0 3 * * *"); empty for none.</summary>
    public string? RefreshSchedule { get; set; }
}

public enum JobStorageKind
{
    Sqlite,
    PostgreSql,
    InMemory,
}
