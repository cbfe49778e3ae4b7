using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using LogLikeMap.Scoring;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// Scores one shard of an upload kept in the store (issue 12), on whichever worker takes it: fetches the checkpoint into
/// the worker's cache (hashes checked), scores the shard's chunks that the store does not hold yet, writes each chunk's
/// scores as it finishes, and once every chunk of the upload is stored queues its placement on the web role's map queue
/// (the worker never places). Safe to run twice and to be taken over after its worker died: stored chunks are skipped,
/// and placement is idempotent.
/// </summary>
public sealed class ScoreUploadShardJob(
    UploadStore uploads, PartialScoreStore partials, TextSetCatalog textSets, CheckpointCache cache, JobMonitor monitor, WorkerPlace place,
    IBackgroundJobClient jobs, IOptions<JobsOptions> options, TimeProvider time, ILogger<ScoreUploadShardJob> logger)
{
    // A failed run is shown with its reason rather than silently retried; a retry is a new upload.
    [AutomaticRetry(Attempts = 0)]
    [Queue(JobsRegistration.ScoringQueue)]
    [DisplayName("Score upload {0}, shard {1} of {2}")]
    public async Task RunAsync(string uploadId, int shard, int shards, PerformContext? context, CancellationToken cancellationToken)
    {
        var manifest = await StoredUploadManifest.ReadAsync(uploads, uploadId, cancellationToken);
        await MonitoredRun.RunAsync(monitor, time, logger, context, JobKind.Score, manifest.Upload.ModelName, async run =>
        {
            var mine = TextChunks.OfShard(manifest.ChunkCount, shard, shards);
            var stored = await partials.StoredChunksAsync(uploadId, cancellationToken);
            var todo = mine.Where(c => !stored.Contains(c)).ToArray();
            var total = mine.Sum(c => Length(manifest, c));
            if (todo.Length > 0)
                await ScoreAsync(uploadId, manifest, todo, total - todo.Sum(c => Length(manifest, c)), total, run, cancellationToken);
            run.Progress(total, total, 0, TimeSpan.Zero);
            if ((await partials.StoredChunksAsync(uploadId, cancellationToken)).Count == manifest.ChunkCount)
            {
                // Every shard that finds the upload complete queues it; the placement of an upload placed already does nothing.
                jobs.Enqueue<PlaceUploadJob>(job => job.RunAsync(uploadId, null, CancellationToken.None));
                cache.Forget(uploadId);
            }
        }, cancellationToken);
    }

    private static int Length(StoredUploadManifest manifest, int chunk) => TextChunks.Positions(chunk, manifest.TextCount, manifest.ChunkTexts).Length;

    private async Task ScoreAsync(
        string uploadId, StoredUploadManifest manifest, IReadOnlyList<int> chunks, int done, int total, MonitoredRun run, CancellationToken ct)
    {
        var texts = (await textSets.LoadTextsAsync(manifest.TextSetId, ct)).Texts;
        if (texts.Count != manifest.TextCount)
            throw new InvalidOperationException($"Text set {manifest.TextSetId} holds {texts.Count} texts, but upload {uploadId} was queued for {manifest.TextCount}.");
        var checkpoint = await cache.CheckpointAsync(uploadId, ct);
        var settings = options.Value;
        try
        {
            using var scorer = LogLikelihoodScorer.Load(checkpoint, new ScoringOptions(
                manifest.Precision, settings.ScoringDevice, settings.ScoringMaxBatchTokens, settings.ScoringThreads, settings.ScoringDeviceIndex));
            foreach (var chunk in chunks)
            {
                var (first, length) = TextChunks.Positions(chunk, manifest.TextCount, manifest.ChunkTexts);
                // Stored meanwhile by a worker still running this job after it was thought orphaned: not scored twice.
                if (await partials.IsStoredAsync(uploadId, chunk, ct))
                {
                    done += length;
                    continue;
                }
                var members = texts.Skip(first).Take(length).ToArray();
                var tokenized = members.Select(t => scorer.Tokenize(t.Index, t.Text)).ToArray();
                var scores = (await scorer.ScoreAsync(tokenized, new ChunkReport(run, done, total), ct)).ToDictionary(s => s.Index);
                var inOrder = members.Select(t => scores[t.Index]).ToArray();
                var stored = await partials.AddAsync(uploadId, new ScoredChunk(
                    chunk, first, [.. inOrder.Select(s => s.LogLikelihood)], [.. inOrder.Select(s => s.TokenCount)], place.ScoredBy), ct);
                done += length;
                if (stored)
                {
                    logger.LogInformation("Stored chunk {Chunk} of upload {UploadId} ({Done} of {Total} texts of this shard) as {ScoredBy}.",
                        chunk, uploadId, done, total, place.ScoredBy);
                }
                else
                {
                    logger.LogWarning("Chunk {Chunk} of upload {UploadId} was stored by another worker meanwhile; its copy stands.", chunk, uploadId);
                }
                if (settings.ScoringChunkDelay > TimeSpan.Zero)
                    await Task.Delay(settings.ScoringChunkDelay, time, ct);
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException))
        {
            // The checkpoint's or libtorch's fault, told in words; the store's errors keep their own message.
            throw ScoringFailedException.From(e, checkpoint);
        }
    }

    /// <summary>Progress within a chunk, counted from the texts of the shard scored before it.</summary>
    private sealed class ChunkReport(MonitoredRun run, int before, int total) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => run.Progress(before + value.TextsDone, total, value.TokensPerSecond, value.TimeLeft);
    }
}
