using System.Collections.Concurrent;
using Hangfire;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Workers;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Takes an upload, checks all of it, and only then queues the job that places the model. Each upload is
/// assembled in a fresh folder of its own; a refusal deletes that folder, so nothing is left half-written.
/// A name is taken by a model on the map, by an upload whose job has not finished, and by an upload still being
/// received and checked: two uploads of one name would otherwise both be queued and only one placed.
/// </summary>
public sealed class UploadService(
    ModelMapService map, DataPaths paths, IOptions<UploadOptions> options, IOptions<JobsOptions> jobOptions, IBackgroundJobClient jobs,
    JobMonitor monitor, SharedStore sharedStore, SharedUploads sharedUploads, ILogger<UploadService> logger) : IUploadService
{
    /// <summary>Names of the uploads being received and checked now, before their jobs are known to the monitor.</summary>
    private readonly ConcurrentDictionary<string, byte> _receiving = new(StringComparer.Ordinal);

    public async Task<UploadResult> SubmitCheckpointZipAsync(Stream zip, string modelName, string family, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(zip);
        return await SubmitAsync(modelName, family, async (folder, id) =>
        {
            var archive = Path.Combine(folder.Path, "upload.zip");
            await CopyBoundedAsync(zip, archive, options.Value.MaxZipBytes, "checkpoint zip", ct);
            await using (var stream = File.OpenRead(archive))
                await new SafeZipExtractor(options.Value).ExtractAsync(stream, folder.CheckpointFolder, ct);
            File.Delete(archive);
            var architecture = CheckpointCheck.Check(folder.CheckpointFolder, "The uploaded checkpoint", jobOptions.Value);
            return new UploadManifest(id, UploadKind.Checkpoint, modelName.Trim(), family.Trim(), architecture, null, DateTimeOffset.UtcNow);
        }, ct);
    }

    public async Task<UploadResult> SubmitServerFolderAsync(string folder, string modelName, string family, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return await SubmitAsync(modelName, family, (_, id) =>
        {
            var checkpoint = ServerFolders.Resolve(folder, options.Value.AllowedServerRoot);
            var architecture = CheckpointCheck.Check(checkpoint, folder, jobOptions.Value);
            return Task.FromResult(new UploadManifest(id, UploadKind.Checkpoint, modelName.Trim(), family.Trim(), architecture, checkpoint, DateTimeOffset.UtcNow));
        }, ct);
    }

    public async Task<UploadResult> SubmitResultsFileAsync(Stream resultsJsonl, string modelName, string family, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resultsJsonl);
        return await SubmitAsync(modelName, family, async (folder, id) =>
        {
            await CopyBoundedAsync(resultsJsonl, folder.ResultsFile, options.Value.MaxResultsBytes, "results file", ct);
            var texts = map.State.Texts;
            ResultsCheck.Read(folder.ResultsFile, "The results file", texts.Indices, texts.Name, map.State.LaidOut?.ClipThreshold, ct);
            return new UploadManifest(id, UploadKind.Results, modelName.Trim(), family.Trim(), null, null, DateTimeOffset.UtcNow);
        }, ct);
    }

    private async Task<UploadResult> SubmitAsync(
        string modelName, string family, Func<UploadFolder, string, Task<UploadManifest>> assemble, CancellationToken ct)
    {
        if (NameProblem(modelName, family) is { } problem)
            return UploadResult.Refused(problem);
        var name = modelName.Trim();
        // Held until the job is queued and reported to the monitor, which then answers for the name.
        if (!_receiving.TryAdd(name, 0))
            return UploadResult.Refused($"Another upload of \"{name}\" is being received and checked right now; wait until it is queued (the Jobs page shows it) rather than sending it twice.");
        try
        {
            return TakenProblem(name) is { } taken ? UploadResult.Refused(taken) : await AssembleAndQueueAsync(modelName, assemble, ct);
        }
        finally
        {
            _receiving.TryRemove(name, out _);
        }
    }

    private async Task<UploadResult> AssembleAndQueueAsync(string modelName, Func<UploadFolder, string, Task<UploadManifest>> assemble, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("N");
        // Whatever holds the upload's files so far: the partial folder, then the committed one until its job is queued.
        UploadFolder? written = null;
        try
        {
            written = UploadFolder.CreatePartial(paths.UploadsFolder, id);
            var manifest = await assemble(written, id);
            if (sharedStore.Enabled)
            {
                var jobIds = await QueueForWorkersAsync(written, manifest, ct);
                // The store holds the upload now; the web host keeps nothing of it.
                written.Discard();
                written = null;
                foreach (var shardJob in jobIds)
                    await monitor.ReportQueuedAsync(shardJob, manifest.Kind == UploadKind.Checkpoint ? JobKind.Score : JobKind.Place, manifest.ModelName);
                logger.LogInformation("Upload {UploadId} ({Kind}) of model {Model} stored for the workers and queued as job(s) {JobIds}.",
                    id, manifest.Kind, manifest.ModelName, string.Join(", ", jobIds));
                return UploadResult.Queued(jobIds[0]);
            }
            written = await written.CommitAsync(manifest, ct);
            var jobId = jobs.Enqueue<ScoreCheckpointJob>(job => job.RunAsync(id, null, CancellationToken.None));
            var folder = written;
            written = null;
            await monitor.ReportQueuedAsync(jobId, JobKind.Score, manifest.ModelName);
            logger.LogInformation("Upload {UploadId} ({Kind}) of model {Model} queued as job {JobId} in {Folder}.",
                id, manifest.Kind, manifest.ModelName, jobId, folder.Path);
            return UploadResult.Queued(jobId);
        }
        catch (UploadRejectedException e)
        {
            written?.Discard();
            logger.LogInformation("Upload of {Model} refused: {Reason}", modelName, e.Message);
            return UploadResult.Refused(e.Message);
        }
        catch (Exception e) when (DiskFull.Caused(e))
        {
            written?.Discard();
            logger.LogError(e, "Upload of {Model} refused: the data disk ({Folder}) is full.", modelName, paths.UploadsFolder);
            return UploadResult.NoSpace();
        }
        catch
        {
            written?.Discard();
            throw;
        }
    }

    /// <summary>
    /// With a shared store (issue 12): stores the checked upload in the database for the workers, fixing the text set,
    /// chunk size, shards and dtype in its manifest, and queues its jobs; returns their ids, the first the upload's.
    /// </summary>
    private async Task<IReadOnlyList<string>> QueueForWorkersAsync(UploadFolder folder, UploadManifest manifest, CancellationToken ct)
    {
        var texts = map.State.Texts;
        var settings = jobOptions.Value;
        var stored = new StoredUploadManifest(manifest with { CheckpointFolder = null }, texts.TextSetId, texts.Indices.Count,
            settings.ScoringChunkTexts, settings.ScoringShards, settings.ScoringPrecision);
        if (manifest.Kind == UploadKind.Checkpoint)
            return await sharedUploads.QueueCheckpointAsync(stored, manifest.CheckpointFolder ?? folder.CheckpointFolder, folder.Path, ct);
        var scores = ResultsCheck.Read(folder.ResultsFile, "The results file", texts.Indices, texts.Name, map.State.LaidOut?.ClipThreshold, ct)
            .ToDictionary(s => s.Index);
        return [await sharedUploads.QueueResultsAsync(stored, [.. texts.Indices.Select(i => scores[i])], ct)];
    }

    /// <summary>The page's rules (<see cref="ModelNameRules"/>) on the name and family as they will be stored (trimmed).</summary>
    private static string? NameProblem(string modelName, string family) =>
        ModelNameRules.NameProblem(modelName.Trim()) ?? ModelNameRules.FamilyProblem(family.Trim());

    private string? TakenProblem(string name)
    {
        if (map.State.Contains(name))
            return ModelNameRules.AlreadyOnMap(name);
        if (monitor.UnfinishedScoringOf(name) is { } job)
        {
            return $"An upload of \"{name}\" is still being placed (job {job.JobId}, {job.State.ToString().ToLowerInvariant()}). "
                + "Wait for it to finish, or cancel it on the Jobs page, before uploading that name again.";
        }
        return null;
    }

    private static async Task CopyBoundedAsync(Stream source, string path, long limit, string what, CancellationToken ct)
    {
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            copied += read;
            if (copied > limit)
                throw new UploadRejectedException($"The {what} is larger than the {limit:N0} bytes accepted. Use a server folder for large checkpoints.");
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }
}
