using System.ComponentModel.DataAnnotations;

namespace LogLikeMap.Web.Uploads;

/// <summary>Limits on what users may upload (configuration section "Uploads").</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>The largest checkpoint zip accepted over HTTP (also Kestrel's request body limit for uploads).</summary>
    [Range(1L, long.MaxValue)]
    public long MaxZipBytes { get; set; } = 4L << 30;

    /// <summary>The most a checkpoint may take once extracted, all entries together.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxExtractedBytes { get; set; } = 8L << 30;

    /// <summary>The largest single file in a checkpoint zip.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxEntryBytes { get; set; } = 8L << 30;

    /// <summary>A Hugging Face checkpoint folder has a handful of files; sharded ones a few dozen.</summary>
    [Range(1, 100_000)]
    public int MaxEntries { get; set; } = 256;

    /// <summary>
    /// Uncompressed / compressed size above which an entry is treated as a zip bomb. Weights barely
    /// compress (ratio about 1.1); tokenizer JSON about 5.
    /// </summary>
    [Range(1.0, 1e6)]
    public double MaxCompressionRatio { get; set; } = 100;

    /// <summary>The largest results file (paper JSON Lines): about 70 bytes a text.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxResultsBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Server folders (for checkpoints too big to upload) must lie under this folder; empty disables them.
    /// </summary>
    public string? AllowedServerRoot { get; set; }
}
