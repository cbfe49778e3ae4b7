using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Tests.Web.Jobs;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogLikeMap.Tests.Web.Security;

/// <summary>
/// Walking the sequential job ids anonymously, after a job failed with an error that names the server's folders: the
/// public answer is the state alone, and even administrators read the error without server paths.
/// </summary>
public sealed class JobDetailsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("loglikemap-jobroot-");
    private readonly WebAppFactory _app = new();
    private readonly WebApplicationFactory<Program> _withRoot;

    public JobDetailsTests() => _withRoot = _app.WithWebHostBuilder(b => b.UseSetting("Uploads:AllowedServerRoot", _root.FullName));

    public void Dispose()
    {
        _withRoot.Dispose();
        _app.Dispose();
        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task Anyone_walking_the_job_ids_learns_only_states_and_no_error_names_a_server_folder()
    {
        var jobId = await FailedServerFolderJobAsync();
        using var anonymous = _withRoot.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var admin = _withRoot.CreateAdminClient();

        var seen = new List<JsonElement>();
        for (var id = 1; id <= int.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture); id++)
        {
            using var response = await anonymous.GetAsync($"/api/jobs/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
                seen.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
        }
        var detailed = await admin.GetFromJsonAsync<JobStatus>($"/api/jobs/{jobId}");

        Assert.NotEmpty(seen);
        Assert.All(seen, job => Assert.Equal(["jobId", "state"], job.EnumerateObject().Select(p => p.Name)));
        Assert.Contains(seen, job => job.GetProperty("jobId").GetString() == jobId && job.GetProperty("state").GetString() == "Failed");
        Assert.Equal("There is no folder 'gone' under " + _root.Name + ".", detailed!.Error);
        // The public Jobs page shows the job, but not its error.
        var page = await anonymous.GetStringAsync("/jobs");
        Assert.Contains("Scoring jobs/gone", page, StringComparison.Ordinal);
        Assert.DoesNotContain("job-error", page, StringComparison.Ordinal);
        Assert.DoesNotContain(_root.FullName, page, StringComparison.Ordinal);
    }

    /// <summary>A server folder accepted and then removed before its job ran: the job fails saying which folder is gone.</summary>
    private async Task<string> FailedServerFolderJobAsync()
    {
        var folder = Path.Combine(_root.FullName, "gone");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        using var admin = _withRoot.CreateAdminClient();
        string jobId;
        using (await ScoringQueueBlocker.HoldAsync(_withRoot.Services))
        {
            using var response = await admin.PostAsJsonAsync("/api/uploads/folder", new { folder = "gone", name = "jobs/gone", family = "gpt2" });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            jobId = (await response.Content.ReadFromJsonAsync<UploadResult>())!.JobId!;
            Directory.Delete(folder, recursive: true);
        }
        Assert.Equal(JobState.Failed, (await JobPolling.UntilFinishedAsync(admin, jobId)).State);
        return jobId;
    }
}
