using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using LogLikeMap.Core.Formats;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// Places an upload scored by the workers (issue 12), on the web role's map queue: joins the stored chunks of scores
/// into the vector, stores it and places the model without moving the others, which pushes it to open pages. Idempotent:
/// a model this upload placed already (two shards both queued the placement, or a rerun) is left as it is, so two
/// workers never both place a model. Once placed, the upload's archive and partial scores are removed from the store.
/// </summary>
public sealed class PlaceUploadJob(
    MapMaintenance maintenance, ModelMapService map, ModelCatalog models, UploadStore uploads, PartialScoreStore partials, JobMonitor monitor,
    IOptions<JobsOptions> options, TimeProvider time, ILogger<PlaceUploadJob> logger)
{
    [AutomaticRetry(Attempts = 0)]
    [Queue(JobsRegistration.MapQueue)]
    [DisplayName("Place scored upload {0}")]
    public async Task RunAsync(string uploadId, PerformContext? context, CancellationToken cancellationToken)
    {
        var manifest = await StoredUploadManifest.ReadAsync(uploads, uploadId, cancellationToken);
        var upload = manifest.Upload;
        var model = new ModelMetadata(upload.ModelName)
        {
            Family = upload.Family, Architecture = upload.Architecture, Source = $"upload {uploadId}", CreatedAt = upload.Created.UtcDateTime,
        };
        if (await IsStoredAsync(model, cancellationToken))
            return;
        await MonitoredRun.RunAsync(monitor, time, logger, context, JobKind.Place, upload.ModelName, async run =>
        {
            var texts = map.State.Texts;
            if (texts.TextSetId != manifest.TextSetId)
            {
                throw new InvalidOperationException(
                    $"The map's texts changed since \"{upload.ModelName}\" was uploaded, so its scores do not fit the map. Upload it again.");
            }
            var scores = Join(uploadId, manifest, await partials.ReadAsync(uploadId, cancellationToken), texts.Indices);
            var dtype = upload.Kind == UploadKind.Checkpoint ? manifest.Precision.ToString().ToLowerInvariant() : "unknown";
            if (!await maintenance.PlaceAsync(model, scores, dtype, cancellationToken) && !await IsStoredAsync(model, cancellationToken))
            {
                throw new InvalidOperationException(
                    $"Another model named \"{upload.ModelName}\" is already on the map, so this upload's scores were not placed. "
                    + "Upload again under another name, or delete that model first and upload again.");
            }
            run.Progress(scores.Count, scores.Count, 0, TimeSpan.Zero);
            await uploads.DeleteArchiveAsync(uploadId, cancellationToken);
            await partials.DeleteAsync(uploadId, cancellationToken);
            if (options.Value.RefreshAfterPlacement)
                await monitor.EnqueueRefreshAsync();
        }, cancellationToken);
    }

    /// <summary>The vector from its chunks: every position of the text set exactly once, in the map's text indices.</summary>
    internal static IReadOnlyList<TextScore> Join(string uploadId, StoredUploadManifest manifest, IReadOnlyList<ScoredChunk> chunks, IReadOnlyList<long> indices)
    {
        if (chunks.Count != manifest.ChunkCount)
            throw new InvalidOperationException($"Upload {uploadId} has {chunks.Count} of its {manifest.ChunkCount} chunks of scores stored; it cannot be placed yet.");
        var scores = new List<TextScore>(manifest.TextCount);
        foreach (var chunk in chunks.OrderBy(c => c.ChunkIndex))
        {
            var (first, length) = TextChunks.Positions(chunk.ChunkIndex, manifest.TextCount, manifest.ChunkTexts);
            if (chunk.FirstPosition != first || chunk.LogLikelihoods.Length != length || chunk.TokenCounts.Length != length)
                throw new InvalidDataException($"Chunk {chunk.ChunkIndex} of upload {uploadId} does not hold texts {first} to {first + length - 1}.");
            for (var i = 0; i < length; i++)
                scores.Add(new TextScore(indices[first + i], chunk.TokenCounts[i], chunk.LogLikelihoods[i]));
        }
        return scores;
    }

    private async Task<bool> IsStoredAsync(ModelMetadata model, CancellationToken ct) =>
        (await models.ListModelsAsync(ct)).Any(m => m.Name == model.Name && m.Source == model.Source);
}
