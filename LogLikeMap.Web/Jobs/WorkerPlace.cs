using LogLikeMap.Scoring;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Where this process scores: its host and device ("cpu", "cuda:0"), shown on the Jobs page for a running job and kept
/// with each stored chunk of scores (with the process id, which tells two workers of one host apart).
/// </summary>
public sealed record WorkerPlace(string Host, string Device, int ProcessId)
{
    public static WorkerPlace Of(JobsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var device = options.ScoringDevice == ScoringDevice.Cuda ? $"cuda:{options.ScoringDeviceIndex}" : "cpu";
        return new WorkerPlace(Environment.MachineName, device, Environment.ProcessId);
    }

    /// <summary>Hangfire's server name for the scoring server: host and device (Hangfire adds a unique suffix).</summary>
    public string ServerName => $"{Host}:{Device}";

    /// <summary>Who scored a chunk: host, device and process.</summary>
    public string ScoredBy => $"{Host}:{Device}:{ProcessId}";
}
