using System.Net;
using System.Net.Http.Json;
using Hangfire;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Jobs;

/// <summary>Two uploads of one name: the second is refused while the first is in flight, and a job never drops its scores silently.</summary>
public sealed class UploadNameClashTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private const string Base = "AIJUUD/juud-Mistral-7B";

    [Fact]
    public async Task An_upload_of_a_name_whose_job_has_not_finished_is_refused_until_that_job_ends()
    {
        var monitor = factory.Services.GetRequiredService<JobMonitor>();
        await monitor.ReportQueuedAsync("earlier-upload", JobKind.Score, "me/in-flight");
        using var client = factory.CreateAdminClient();

        using var refused = await UploadResultsAsync(client, "me/in-flight");
        await monitor.ReportAsync(monitor.Get("earlier-upload")! with { State = JobState.Failed, Error = "stopped by the test" });
        using var accepted = await UploadResultsAsync(client, "me/in-flight");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(
            "An upload of \"me/in-flight\" is still being placed (job earlier-upload, queued). Wait for it to finish, or cancel it on the Jobs page, before uploading that name again.",
            (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var upload = (await accepted.Content.ReadFromJsonAsync<UploadResult>())!;
        Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, upload.JobId!)).State);
    }

    [Fact]
    public async Task A_job_whose_name_another_model_took_meanwhile_fails_saying_so_and_moves_nothing()
    {
        using var client = factory.CreateAdminClient();
        var before = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        // An upload checked while the name was free; the model of that name (here a demo model) arrived before its job ran.
        var folder = await CommitUploadAsync(Base);

        var finished = await RunJobAsync(client, folder, Base);

        Assert.Equal(JobState.Failed, finished.State);
        Assert.Equal(
            $"Another model named \"{Base}\" is already on the map, so this upload's scores were not placed. Upload again under another name, or delete that model first and upload again.",
            finished.Error);
        Assert.False(folder.IsPlaced);
        var after = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        Assert.Equal(before.Select(m => (m.Name, m.X, m.Y)), after.Select(m => (m.Name, m.X, m.Y)));
    }

    [Fact]
    public async Task A_run_stopped_after_placing_but_before_its_marker_succeeds_again_with_one_model()
    {
        using var client = factory.CreateAdminClient();
        var folder = await CommitUploadAsync("me/stopped-early");
        Assert.Equal(JobState.Succeeded, (await RunJobAsync(client, folder, "me/stopped-early")).State);
        // As if the server stopped between placing the model and writing the marker.
        File.Delete(folder.PlacedMarker);

        var again = await RunJobAsync(client, folder, "me/stopped-early");

        Assert.Equal(JobState.Succeeded, again.State);
        Assert.True(folder.IsPlaced);
        Assert.Single((await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!, m => m.Name == "me/stopped-early");
    }

    /// <summary>An upload folder as UploadService commits one: the base model's results under the given name.</summary>
    private async Task<UploadFolder> CommitUploadAsync(string name)
    {
        var id = Guid.NewGuid().ToString("N");
        var partial = UploadFolder.CreatePartial(factory.Services.GetRequiredService<DataPaths>().UploadsFolder, id);
        File.Copy(Path.Combine(WebAppFactory.DemoMapFolder, "results", Base.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"), partial.ResultsFile);
        return await partial.CommitAsync(new UploadManifest(id, UploadKind.Results, name, "mistral", null, null, DateTimeOffset.UtcNow), CancellationToken.None);
    }

    /// <summary>Queues the upload's job as UploadService does and waits for it to end.</summary>
    private async Task<JobStatus> RunJobAsync(HttpClient client, UploadFolder folder, string name)
    {
        var manifest = await folder.ReadManifestAsync(CancellationToken.None);
        var jobId = factory.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<ScoreCheckpointJob>(job => job.RunAsync(manifest.UploadId, null, CancellationToken.None));
        await factory.Services.GetRequiredService<JobMonitor>().ReportQueuedAsync(jobId, JobKind.Score, name);
        return await JobPolling.UntilFinishedAsync(client, jobId);
    }

    private static async Task<HttpResponseMessage> UploadResultsAsync(HttpClient client, string name)
    {
        using var form = new MultipartFormDataContent();
        var results = await File.ReadAllBytesAsync(Path.Combine(WebAppFactory.DemoMapFolder, "results", Base.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"));
        form.Add(new ByteArrayContent(results), "file", "results.jsonl");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent("mistral"), "family");
        return await client.PostAsync("/api/uploads/results", form);
    }
}
