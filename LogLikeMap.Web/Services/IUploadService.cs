namespace LogLikeMap.Web.Services;

/// <summary>The answer to an upload: accepted with the job that will place the model, or refused with why.</summary>
/// <param name="Error">What is wrong and what to do about it; null when accepted.</param>
public sealed record UploadResult(bool Accepted, string? JobId, string? Error)
{
    /// <summary>Refused because the server's disk is full, not because of the upload (HTTP 507).</summary>
    public bool ServerFull { get; init; }

    public static UploadResult Queued(string jobId) => new(true, jobId, null);

    public static UploadResult Refused(string error) => new(false, null, error);

    public static UploadResult NoSpace() => new(false, null, DiskFull.Message) { ServerFull = true };
}

/// <summary>Validates an upload completely before anything is queued.</summary>
public interface IUploadService
{
    /// <summary>A zip of a Hugging Face checkpoint folder (config.json, safetensors, tokenizer files).</summary>
    Task<UploadResult> SubmitCheckpointZipAsync(Stream zip, string modelName, string family, CancellationToken ct);

    /// <summary>A checkpoint folder on the server, under the configured allowed root (for large checkpoints).</summary>
    Task<UploadResult> SubmitServerFolderAsync(string folder, string modelName, string family, CancellationToken ct);

    /// <summary>Paper-format results JSON Lines (index, num-tokens, log-likelihood) for the current text set.</summary>
    Task<UploadResult> SubmitResultsFileAsync(Stream resultsJsonl, string modelName, string family, CancellationToken ct);
}
