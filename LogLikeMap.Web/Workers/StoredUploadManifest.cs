using System.Text.Json;
using LogLikeMap.Scoring;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// What a worker needs to score an upload kept in the store, fixed when it is queued so that every shard and every
/// worker that takes a job over agree: the upload, the text set it is scored on, the chunk size, the shard count and
/// the dtype.
/// </summary>
public sealed record StoredUploadManifest(UploadManifest Upload, int TextSetId, int TextCount, int ChunkTexts, int Shards, ScoringPrecision Precision)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int ChunkCount => TextChunks.Count(TextCount, ChunkTexts);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static async Task<StoredUploadManifest> ReadAsync(UploadStore store, string uploadId, CancellationToken ct) =>
        await TryReadAsync(store, uploadId, ct)
        ?? throw new InvalidOperationException($"Upload {uploadId} is not in the store: it was deleted, or its upload never finished. Upload it again.");

    /// <summary>The manifest of the upload, or null when the store has no such upload.</summary>
    public static async Task<StoredUploadManifest?> TryReadAsync(UploadStore store, string uploadId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.ManifestAsync(uploadId, ct) is not { } json)
            return null;
        return JsonSerializer.Deserialize<StoredUploadManifest>(json, Json)
            ?? throw new InvalidDataException($"The stored manifest of upload {uploadId} is empty.");
    }
}
