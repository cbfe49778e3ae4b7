using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Scoring;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Puts an uploaded model on the map: scores its checkpoint on the map's texts into the upload's results file
/// (Core/Scoring appends each batch, so a run stopped by a restart resumes where it was), then stores the
/// vector and places the model without moving the others. Safe to run twice: the upload's <c>placed</c>
/// marker, or this upload's model already being on the map (a run stopped before writing the marker), makes a
/// second run change nothing. Another model of the same name on the map fails the job, saying so.
/// </summary>
public sealed class ScoreCheckpointJob(
    MapMaintenance maintenance, ModelMapService map, TextSetCatalog textSets, ModelCatalog models, DataPaths paths, JobMonitor monitor,
    IOptions<JobsOptions> options, IOptions<UploadOptions> uploads, TimeProvider time, ILogger<ScoreCheckpointJob> logger)
{
    // A failed run is shown with its reason rather than silently retried; a retry is a new upload.
    [AutomaticRetry(Attempts = 0)]
    [Queue(JobsRegistration.ScoringQueue)]
    [DisplayName("Place uploaded model (upload {0})")]
    public async Task RunAsync(string uploadId, PerformContext? context, CancellationToken cancellationToken)
    {
        var folder = UploadFolder.Of(paths.UploadsFolder, uploadId);
        var manifest = await folder.ReadManifestAsync(cancellationToken);
        if (folder.IsPlaced)
            return;
        await MonitoredRun.RunAsync(monitor, time, logger, context, JobKind.Score, manifest.ModelName, async run =>
        {
            var texts = map.State.Texts;
            var dtype = "unknown";
            long? parameters = null;
            if (manifest.Kind == UploadKind.Checkpoint)
            {
                // A server folder is checked again now: its files may have been swapped for links since it was named.
                var checkpoint = manifest.CheckpointFolder is { } serverFolder
                    ? ServerFolders.Resolve(serverFolder, uploads.Value.AllowedServerRoot)
                    : folder.CheckpointFolder;
                await ScoreAsync(checkpoint, texts.TextSetId, folder.ResultsFile, run, cancellationToken);
                // The map's size colouring and the model card show it; a results file says nothing of the size.
                using (var weights = CheckpointWeights.Open(checkpoint))
                    parameters = weights.ParameterCount;
                dtype = options.Value.ScoringPrecision.ToString().ToLowerInvariant();
            }
            var scores = ResultsCheck.Read(
                folder.ResultsFile, $"Results of upload {uploadId}", texts.Indices, texts.Name, map.State.LaidOut?.ClipThreshold, cancellationToken);
            var model = new ModelMetadata(manifest.ModelName)
            {
                Family = manifest.Family, Architecture = manifest.Architecture, Source = SourceOf(uploadId), CreatedAt = manifest.Created.UtcDateTime,
                ParameterCount = parameters,
            };
            if (!await maintenance.PlaceAsync(model, scores, dtype, cancellationToken) && !await IsStoredAsync(model, cancellationToken))
            {
                throw new InvalidOperationException(
                    $"Another model named \"{manifest.ModelName}\" is already on the map, so this upload's scores were not placed. "
                    + "Upload again under another name, or delete that model first and upload again.");
            }
            folder.MarkPlaced();
            if (options.Value.RefreshAfterPlacement)
                await monitor.EnqueueRefreshAsync();
        }, cancellationToken);
    }

    /// <summary>Says in the store which upload placed a model, so a second run tells its own placement from another's.</summary>
    private static string SourceOf(string uploadId) => $"upload {uploadId}";

    /// <summary>Whether the model of that name in the store came from this upload (a placement the run did before).</summary>
    private async Task<bool> IsStoredAsync(ModelMetadata model, CancellationToken ct) =>
        (await models.ListModelsAsync(ct)).Any(m => m.Name == model.Name && m.Source == model.Source);

    private async Task ScoreAsync(string checkpointPath, int textSetId, string resultsFile, MonitoredRun run, CancellationToken ct)
    {
        var texts = await textSets.LoadTextsAsync(textSetId, ct);
        var settings = options.Value;
        try
        {
            using var scorer = LogLikelihoodScorer.Load(checkpointPath,
                new ScoringOptions(settings.ScoringPrecision, settings.ScoringDevice, settings.ScoringMaxBatchTokens, settings.ScoringThreads));
            var tokenized = texts.Texts.Select(t => scorer.Tokenize(t.Index, t.Text)).ToArray();
            await scorer.ScoreToFileAsync(tokenized, resultsFile, new ScoringReport(run), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ScoringFailedException.From(e, checkpointPath);
        }
    }

    /// <summary>Forwards each batch's progress as it happens (Progress&lt;T&gt; would post it later, out of order).</summary>
    private sealed class ScoringReport(MonitoredRun run) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => run.Progress(value.TextsDone, value.TextCount, value.TokensPerSecond, value.TimeLeft);
    }
}
