using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Tests.Web.Jobs;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;

namespace LogLikeMap.Tests.Web.Security;

/// <summary>The app's data folder on a real, small disk that is then filled to the last byte.</summary>
public sealed class FullDiskTests
{
    /// <summary>Room for the demo map's store (about 2 MB) and a few uploads.</summary>
    private const long DiskBytes = 16L << 20;

    private const string Base = "AIJUUD/juud-Mistral-7B";

    [Fact]
    public async Task An_upload_to_a_full_disk_gets_a_507_that_says_so_and_leaves_nothing_behind()
    {
        using var disk = new TinyDisk(DiskBytes);
        using (var app = WebAppFactory.Over(disk.Folder))
        using (var client = app.CreateAdminClient())
        {
            await client.GetStringAsync("/api/models");
            var uploads = Path.Combine(disk.Folder, "uploads");
            disk.Fill();

            using var refused = await UploadResultsAsync(client, "disk/full");

            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            var problem = (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!;
            Assert.Equal("Server disk full", problem.Title);
            Assert.Equal(DiskFull.Message, problem.Detail);
            Assert.Empty(Directory.EnumerateFileSystemEntries(uploads));

            // Space freed, the same upload goes through.
            disk.Free();
            using var accepted = await UploadResultsAsync(client, "disk/full");
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, (await accepted.Content.ReadFromJsonAsync<UploadResult>())!.JobId!)).State);
        }
    }

    [Fact]
    public async Task A_job_that_fails_on_a_full_disk_shows_Failed_and_frees_its_name_also_after_a_restart()
    {
        using var disk = new TinyDisk(DiskBytes);
        string jobId;
        using (var app = WebAppFactory.Over(disk.Folder))
        using (var client = app.CreateAdminClient())
        {
            await client.GetStringAsync("/api/models");
            using (await ScoringQueueBlocker.HoldAsync(app.Services))
            {
                using var queued = await UploadResultsAsync(client, "disk/stuck");
                Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
                jobId = (await queued.Content.ReadFromJsonAsync<UploadResult>())!.JobId!;
                disk.Fill();
            }

            var failed = await JobPolling.UntilFinishedAsync(client, jobId);
            Assert.Equal(JobState.Failed, failed.State);
            Assert.Equal(DiskFull.Message, failed.Error);

            disk.Free();
            using var again = await UploadResultsAsync(client, "disk/stuck");
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, (await again.Content.ReadFromJsonAsync<UploadResult>())!.JobId!)).State);
        }

        using var restarted = WebAppFactory.Over(disk.Folder);
        using var afterRestart = restarted.CreateAdminClient();
        Assert.Equal(JobState.Failed, (await afterRestart.GetFromJsonAsync<JobStatus>($"/api/jobs/{jobId}"))!.State);
    }

    private static async Task<HttpResponseMessage> UploadResultsAsync(HttpClient client, string name)
    {
        var results = await File.ReadAllBytesAsync(Path.Combine(WebAppFactory.DemoMapFolder, "results", Base.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"));
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(results);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "results.jsonl");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent("mistral"), "family");
        return await client.PostAsync("/api/uploads/results", form);
    }
}
