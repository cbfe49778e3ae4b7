using System.Globalization;

namespace LogLikeMap.Scoring;

/// <summary>
/// The process's resident memory as Linux reports it in <c>/proc/self/status</c> (proc(5)): <c>VmRSS</c> now and
/// <c>VmHWM</c>, the peak since the process started or since <see cref="TryResetPeak"/>. Elsewhere both are unknown.
/// </summary>
public static class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>Peak resident bytes (VmHWM), or null where /proc is not available.</summary>
    public static long? PeakResidentBytes() => ReadKilobytes("VmHWM:") * 1024;

    /// <summary>Resident bytes now (VmRSS), or null where /proc is not available.</summary>
    public static long? ResidentBytes() => ReadKilobytes("VmRSS:") * 1024;

    /// <summary>
    /// Sets the peak back to the current resident size by writing 5 to <c>/proc/self/clear_refs</c> (Linux 4.0+), so
    /// that a later <see cref="PeakResidentBytes"/> measures one phase of the run; false where that is not possible.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Bytes as a short text in GiB (or MiB below 1 GiB), "unknown" for null.</summary>
    public static string Describe(long? bytes) => bytes switch
    {
        null => "unknown",
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / (double)(1L << 30):F2} GiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / (double)(1L << 20):F0} MiB"),
    };

    private static long? ReadKilobytes(string field)
    {
        if (!File.Exists(StatusPath))
            return null;
        foreach (var line in File.ReadLines(StatusPath))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal))
                continue;
            // "VmHWM:\t  123456 kB"
            var number = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(number, CultureInfo.InvariantCulture);
        }
        return null;
    }
}
