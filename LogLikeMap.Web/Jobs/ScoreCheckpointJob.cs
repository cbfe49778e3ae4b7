using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using LogLikeMap.Core.Catalog;
using LogLikeMap.Core.Checkpoints;
using LogLikeMap.Core.Scoring;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Puts an uploaded model on the map: scores its checkpoint on the map's texts into the upload's results file
/// (Core/Scoring appends each batch, so a run stopped by a restart resumes where it was), then stores the
/// vector and places the model without moving the others. Safe to run twice: the upload's <c>placed</c>
/// marker, or the model already being on the map, makes a second run change nothing.
/// </summary>
public sealed class ScoreCheckpointJob(
    MapMaintenance maintenance, ModelMapService map, TextSetCatalog textSets, DataPaths paths, JobMonitor monitor,
    IOptions<JobsOptions> options, TimeProvider time, ILogger<ScoreCheckpointJob> logger)
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
        await MonitoredRun.RunAsync(monitor, time, logger, context, JobKinds.Score, manifest.ModelName, async run =>
        {
            var texts = map.State.Texts;
            var dtype = "unknown";
            if (manifest.Kind == UploadKind.Checkpoint)
            {
                await ScoreAsync(manifest.CheckpointFolder ?? folder.CheckpointFolder, texts.TextSetId, folder.ResultsFile, run, cancellationToken);
                dtype = options.Value.ScoringPrecision.ToString().ToLowerInvariant();
            }
            var scores = ResultsCheck.Read(folder.ResultsFile, $"Results of upload {uploadId}", texts.Indices, texts.Name, cancellationToken);
            var model = new ModelMetadata(manifest.ModelName)
            {
                Family = manifest.Family, Architecture = manifest.Architecture, Source = "upload", CreatedAt = manifest.Created.UtcDateTime,
            };
            await maintenance.PlaceAsync(model, scores, dtype, cancellationToken);
            folder.MarkPlaced();
            if (options.Value.RefreshAfterPlacement)
                await monitor.EnqueueRefreshAsync();
        }, cancellationToken);
    }

    private async Task ScoreAsync(string checkpointPath, int textSetId, string resultsFile, MonitoredRun run, CancellationToken ct)
    {
        var checkpoint = CheckpointFolder.Open(checkpointPath);
        var texts = await textSets.LoadTextsAsync(textSetId, ct);
        var tokenized = texts.Texts.Select(t => new TokenizedText(t.Index, checkpoint.Tokenizer.EncodeWithSpecialTokens(t.Text))).ToArray();
        var settings = options.Value;
        using var scorer = LogLikelihoodScorer.Load(checkpoint.Path,
            new ScoringOptions(settings.ScoringPrecision, settings.ScoringDevice, settings.ScoringMaxBatchTokens));
        await scorer.ScoreToFileAsync(tokenized, resultsFile, new ScoringReport(run), ct);
    }

    /// <summary>Forwards each batch's progress as it happens (Progress&lt;T&gt; would post it later, out of order).</summary>
    private sealed class ScoringReport(MonitoredRun run) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => run.Progress(value.TextsDone, value.TextCount, value.TokensPerSecond, value.TimeLeft);
    }
}
