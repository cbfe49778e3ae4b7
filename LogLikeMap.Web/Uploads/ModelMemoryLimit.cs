using System.Globalization;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using LogLikeMap.Web.Jobs;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Refuses at upload a model too large for the scoring worker: the weights in the configured scoring dtype plus the
/// one tensor the loader stages (<see cref="ModelFootprint"/>) against <see cref="JobsOptions.MaxModelBytes"/>, or,
/// when that is not set, the memory .NET sees for this process (the machine's, or the container's limit).
/// </summary>
public static class ModelMemoryLimit
{
    public static void Check(ModelFootprint footprint, JobsOptions options)
    {
        ArgumentNullException.ThrowIfNull(footprint);
        ArgumentNullException.ThrowIfNull(options);
        var precision = options.ScoringPrecision;
        var needed = footprint.BytesToLoad(precision);
        var (limit, whose) = options.MaxModelBytes is { } configured
            ? (configured, $"this server's scoring worker may use {Size(configured)} (Jobs:MaxModelBytes)")
            : (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, $"this server has {Size(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} of memory");
        if (needed <= limit)
            return;
        var dtype = precision.ToString().ToLowerInvariant();
        var parameters = footprint.ParameterCount.ToString("N0", CultureInfo.InvariantCulture);
        var remedy = precision == ScoringPrecision.Float32
            ? "An administrator can score in bfloat16 (Jobs:ScoringPrecision, half the memory) or raise the limit on a larger worker"
            : "An administrator can raise the limit on a larger worker";
        throw new UploadRejectedException(
            $"The model needs about {Size(needed)} to be scored in {dtype} ({parameters} parameters, plus " +
            $"{Size(footprint.LargestStoredTensorBytes)} to read its largest tensor), but {whose}. {remedy}; or score it " +
            "elsewhere with `loglikemap score` and upload the results file.");
    }

    private static string Size(long bytes) =>
        bytes >= 1e9
            ? (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB"
            : (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
