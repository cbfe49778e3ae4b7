using System.IO.Compression;
using Hangfire;
using LogLikeMap.Core.Formats;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// Queues a checked upload for the workers of a shared store (issue 12): a checkpoint is zipped as checked (stored
/// entries: weights do not compress) into the store's chunks with its manifest, and one scoring job is queued per shard;
/// a results file is stored directly as chunks of scores and only its placement is queued. Used by the web upload and
/// by <c>loglikemap queue</c>.
/// </summary>
public sealed class SharedUploads(UploadStore uploads, PartialScoreStore partials, IBackgroundJobClient jobs)
{
    /// <summary>
    /// Stores the checkpoint folder under the upload's id and queues its shards; returns their job ids, shard 0 first.
    /// <paramref name="scratchFolder"/> takes the archive while it is stored.
    /// </summary>
    public async Task<IReadOnlyList<string>> QueueCheckpointAsync(
        StoredUploadManifest manifest, string checkpointFolder, string scratchFolder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var id = manifest.Upload.UploadId;
        var archive = Path.Combine(scratchFolder, $"{id}.stored.zip");
        try
        {
            await using (var file = new FileStream(archive, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true))
            {
                await ZipFile.CreateFromDirectoryAsync(checkpointFolder, file, CompressionLevel.NoCompression, includeBaseDirectory: false, ct);
                file.Position = 0;
                await uploads.SaveAsync(id, manifest.ToJson(), file, ct);
            }
        }
        finally
        {
            File.Delete(archive);
        }
        return [.. Enumerable.Range(0, manifest.Shards).Select(shard =>
            jobs.Enqueue<ScoreUploadShardJob>(job => job.RunAsync(id, shard, manifest.Shards, null, CancellationToken.None)))];
    }

    /// <summary>Stores checked results (in the text set's position order) as chunks of scores and queues the placement.</summary>
    public async Task<string> QueueResultsAsync(StoredUploadManifest manifest, IReadOnlyList<TextScore> scoresInPositionOrder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(scoresInPositionOrder);
        var id = manifest.Upload.UploadId;
        await uploads.SaveAsync(id, manifest.ToJson(), Stream.Null, ct);
        for (var chunk = 0; chunk < manifest.ChunkCount; chunk++)
        {
            var (first, length) = TextChunks.Positions(chunk, manifest.TextCount, manifest.ChunkTexts);
            var part = scoresInPositionOrder.Skip(first).Take(length).ToArray();
            await partials.AddAsync(id, new ScoredChunk(chunk, first, [.. part.Select(s => s.LogLikelihood)], [.. part.Select(s => s.TokenCount)], "results file"), ct);
        }
        return jobs.Enqueue<PlaceUploadJob>(job => job.RunAsync(id, null, CancellationToken.None));
    }
}
