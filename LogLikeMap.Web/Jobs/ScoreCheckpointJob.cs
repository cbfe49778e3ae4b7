using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Puts an uploaded model on the map: scores its checkpoint into the upload's results file (resuming what a
/// stopped run stored there), then places it without moving the others. Safe to run twice: the upload's
/// <c>placed</c> marker, or the model already being on the map, ends a second run at once.
/// </summary>
public sealed class ScoreCheckpointJob(MapMaintenance maintenance, ModelMapService map, DataPaths paths, JobMonitor monitor, TimeProvider time)
{
    // A failed run is shown with its reason rather than silently retried; a retry is a new upload or refresh.
    [AutomaticRetry(Attempts = 0)]
    [Queue(JobsRegistration.ScoringQueue)]
    [DisplayName("Place uploaded model (upload {0})")]
    public async Task RunAsync(string uploadId, PerformContext? context, CancellationToken cancellationToken)
    {
        var folder = UploadFolder.Of(paths.UploadsFolder, uploadId);
        var manifest = await folder.ReadManifestAsync(cancellationToken);
        if (folder.IsPlaced)
            return;
        await MonitoredRun.RunAsync(monitor, time, context, JobKinds.Score, manifest.ModelName, async run =>
        {
            var texts = map.State.Texts;
            var logLikelihoods = ResultsCheck.Read(folder.ResultsFile, $"Results of upload {uploadId}", texts.Indices, texts.Name, cancellationToken);
            run.Progress(texts.Indices.Count, texts.Indices.Count, 0, TimeSpan.Zero);
            if (!await maintenance.PlaceAsync(manifest.ModelName, manifest.Family, logLikelihoods, cancellationToken)
                && !map.State.Contains(manifest.ModelName))
            {
                throw new InvalidOperationException($"Model '{manifest.ModelName}' could not be placed.");
            }
            folder.MarkPlaced();
        }, cancellationToken);
    }
}
