using System.Globalization;
using LogLikeMap.Web.Components.Shared;

namespace LogLikeMap.Web.Components.Upload;

/// <summary>
/// How far a file's transfer from the browser has got: bytes sent of the total, the rate since the start, and the time
/// left at that rate ("120 MiB of 286 MiB · 4.2 MiB/s · about 39 s left").
/// </summary>
public sealed class UploadProgress(long totalBytes, TimeProvider clock)
{
    private readonly long _started = clock.GetTimestamp();

    public long TotalBytes { get; } = totalBytes >= 0 ? totalBytes : throw new ArgumentOutOfRangeException(nameof(totalBytes));

    public long SentBytes { get; private set; }

    public double Percent => TotalBytes > 0 ? 100.0 * SentBytes / TotalBytes : 0;

    /// <summary>Bytes per second since the transfer began; 0 until a byte has come and time has passed.</summary>
    public double BytesPerSecond
    {
        get
        {
            var seconds = clock.GetElapsedTime(_started).TotalSeconds;
            return seconds > 0 ? SentBytes / seconds : 0;
        }
    }

    /// <summary>At the rate so far; null while there is no rate yet.</summary>
    public TimeSpan? TimeLeft => BytesPerSecond > 0 ? TimeSpan.FromSeconds((TotalBytes - SentBytes) / BytesPerSecond) : null;

    /// <summary>Counts <paramref name="bytes"/> more as received by the server.</summary>
    public void Add(int bytes) => SentBytes = Math.Min(TotalBytes, SentBytes + bytes);

    public override string ToString()
    {
        var text = $"{UploadForm.Size(SentBytes)} of {UploadForm.Size(TotalBytes)}";
        if (BytesPerSecond > 0)
            text += string.Create(CultureInfo.InvariantCulture, $" · {UploadForm.Size((long)BytesPerSecond)}/s");
        if (JobFormat.TimeLeft(TimeLeft) is { Length: > 0 } left)
            text += " · " + left;
        return text;
    }
}
