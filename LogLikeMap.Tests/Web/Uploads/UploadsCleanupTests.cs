using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hangfire;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Formats;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Tests.Web.Jobs;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogLikeMap.Tests.Web.Uploads;

/// <summary>Uploads whose jobs placed their model or failed give their disk back; one still queued keeps its files.</summary>
public sealed class UploadsCleanupTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private const string Base = "AIJUUD/juud-Mistral-7B";

    [Fact]
    public async Task Placed_and_failed_uploads_are_trimmed_to_their_manifest_and_a_queued_one_is_kept()
    {
        using var client = factory.CreateAdminClient();
        var placed = await UploadAsync(client, "cleanup/placed");
        Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, placed.JobId!)).State);
        UploadResult failed, queued;
        using (var blocked = await ScoringQueueBlocker.HoldAsync(factory.Services))
        {
            failed = await UploadAsync(client, "cleanup/failed");
            // Another model takes the name while the upload waits: its job fails, as after any clash.
            await factory.Services.GetRequiredService<MapMaintenance>().PlaceAsync(
                new ModelMetadata("cleanup/failed") { Family = "mistral" }, DemoScores(), "float32", CancellationToken.None);
            blocked.Release();
            Assert.Equal(JobState.Failed, (await JobPolling.UntilFinishedAsync(client, failed.JobId!)).State);
        }
        using (await ScoringQueueBlocker.HoldAsync(factory.Services))
        {
            queued = await UploadAsync(client, "cleanup/queued");
            var uploads = factory.Services.GetRequiredService<DataPaths>().UploadsFolder;
            var folders = Directory.GetDirectories(uploads).ToDictionary(f => Path.GetFileName(f), Files);

            // An hour later, past the grace period of fresh uploads.
            var trimmed = Cleanup(TimeSpan.FromHours(1)).Sweep();

            var placedId = UploadIdOf(uploads, "cleanup/placed");
            var failedId = UploadIdOf(uploads, "cleanup/failed");
            var queuedId = UploadIdOf(uploads, "cleanup/queued");
            Assert.Contains(placedId, trimmed);
            Assert.Contains(failedId, trimmed);
            Assert.DoesNotContain(queuedId, trimmed);
            Assert.Equal(["placed", "upload.json"], Files(Path.Combine(uploads, placedId)));
            Assert.Equal(["upload.json"], Files(Path.Combine(uploads, failedId)));
            Assert.Equal(folders[queuedId], Files(Path.Combine(uploads, queuedId)));
            Assert.Contains("results.jsonl", folders[queuedId]);
            // Nothing younger than the grace period is touched.
            Assert.Empty(Cleanup(TimeSpan.Zero).Sweep());
        }

        // The placed upload's job run again still finds it placed and changes nothing.
        factory.Services.GetRequiredService<IBackgroundJobClient>().Requeue(placed.JobId!);
        await Task.Delay(500);
        Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, placed.JobId!)).State);
        Assert.Single((await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!, m => m.Name == "cleanup/placed");
        Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, queued.JobId!)).State);
    }

    [Fact]
    public void Partial_uploads_from_before_the_start_go_at_once_and_live_ones_after_an_hour_of_silence()
    {
        var uploads = factory.Services.GetRequiredService<DataPaths>().UploadsFolder;
        var leftByLastRun = WritePartial(uploads);
        Thread.Sleep(50); // file times have a resolution; the start must come strictly after the last run's writes
        var clock = new Later(TimeSpan.Zero);
        var cleanup = new UploadsCleanup(factory.Services.GetRequiredService<DataPaths>(), factory.Services.GetRequiredService<JobStorage>(), clock,
            NullLogger<UploadsCleanup>.Instance);
        Thread.Sleep(50);
        var receiving = WritePartial(uploads);

        cleanup.Sweep();

        Assert.False(Directory.Exists(leftByLastRun));
        Assert.True(Directory.Exists(receiving));

        // Still being written to 59 minutes on (a slow connection): kept; an hour after its last write: gone.
        clock.Offset = TimeSpan.FromMinutes(59);
        File.SetLastWriteTimeUtc(Path.Combine(receiving, "upload.zip"), DateTime.UtcNow + TimeSpan.FromMinutes(30));
        cleanup.Sweep();
        Assert.True(Directory.Exists(receiving));
        clock.Offset = TimeSpan.FromMinutes(30 + 61);
        cleanup.Sweep();
        Assert.False(Directory.Exists(receiving));
    }

    private static string WritePartial(string uploads)
    {
        var folder = Directory.CreateDirectory(Path.Combine(uploads, Guid.NewGuid().ToString("N") + ".partial")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "upload.zip"), new byte[1000]);
        return folder;
    }

    private UploadsCleanup Cleanup(TimeSpan later) => new(
        factory.Services.GetRequiredService<DataPaths>(), factory.Services.GetRequiredService<JobStorage>(), new Later(later),
        NullLogger<UploadsCleanup>.Instance);

    /// <summary>The upload folder whose manifest names the model.</summary>
    private static string UploadIdOf(string uploads, string model) =>
        Path.GetFileName(Directory.GetDirectories(uploads)
            .Single(f => File.ReadAllText(Path.Combine(f, "upload.json")).Contains($"\"{model}\"", StringComparison.Ordinal)));

    private static string[] Files(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private static IReadOnlyList<TextScore> DemoScores() =>
        ResultsFile.Read(Path.Combine(WebAppFactory.DemoMapFolder, "results", Base.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"), CancellationToken.None);

    private static async Task<UploadResult> UploadAsync(HttpClient client, string name)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(WebAppFactory.DemoMapFolder, "results", Base.Replace("/", "__", StringComparison.Ordinal) + ".jsonl")));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "results.jsonl");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent("mistral"), "family");
        using var response = await client.PostAsync("/api/uploads/results", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UploadResult>())!;
    }

    private sealed class Later(TimeSpan offset) : TimeProvider
    {
        public TimeSpan Offset { get; set; } = offset;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }
}
