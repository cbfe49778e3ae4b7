using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hangfire;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Jobs;

public sealed class ResultsUploadTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private const string Base = "AIJUUD/juud-Mistral-7B";

    [Fact]
    public async Task A_results_file_is_placed_without_moving_the_others_and_running_its_job_twice_gives_one_model()
    {
        using var client = factory.CreateAdminClient();
        var before = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        // The base model's scores shifted by a small, text-dependent amount: its nearest neighbour must be the base.
        var lines = ResultsLines(Base).Select(l => (l.Index, l.Tokens, LogLikelihood: l.LogLikelihood + (0.5 * Math.Sin(l.Index))));

        using var response = await UploadResultsAsync(client, "my-org/juud-copy", Jsonl(lines));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var upload = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        var finished = await JobPolling.UntilFinishedAsync(client, upload.JobId!);
        Assert.Equal(JobState.Succeeded, finished.State);

        var after = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        Assert.Equal(before.Count + 1, after.Count);
        foreach (var model in before)
        {
            var now = after.Single(m => m.Name == model.Name);
            Assert.Equal((model.X, model.Y), (now.X, now.Y));
        }
        var placed = after.Single(m => m.Name == "my-org/juud-copy");
        Assert.True(placed.Provisional);
        Assert.Equal("mistral", placed.Family);
        var neighbours = await client.GetFromJsonAsync<NeighboursResponse>("/api/models/my-org%2Fjuud-copy/neighbours?k=3");
        Assert.Equal(Base, neighbours!.Neighbours[0].Name);

        // Hangfire may start a job again (e.g. after the SQLite invisibility timeout): the second run changes nothing.
        // Hangfire's own history shows the second run succeeded, so the check below follows it rather than racing it.
        factory.Services.GetRequiredService<IBackgroundJobClient>().Requeue(upload.JobId!);
        await UntilSucceededTwiceAsync(upload.JobId!);
        var again = await JobPolling.UntilFinishedAsync(client, upload.JobId!);
        Assert.Equal(JobState.Succeeded, again.State);
        var twice = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        Assert.Equal(after.Select(m => (m.Name, m.X, m.Y)), twice.Select(m => (m.Name, m.X, m.Y)));
    }

    [Fact]
    public async Task A_results_file_with_a_missing_index_is_refused_naming_the_index_and_leaves_nothing_behind()
    {
        using var client = factory.CreateAdminClient();
        var lines = ResultsLines(Base).Where(l => l.Index != 17);

        var problem = await RefusedAsync(client, "missing-17", Jsonl(lines));

        Assert.Contains("1 of the 300 texts", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("text index 17", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(factory.DataFolder, "uploads"), "*.partial"));
    }

    [Fact]
    public async Task A_results_file_with_a_bad_line_is_refused_naming_the_line()
    {
        using var client = factory.CreateAdminClient();
        var text = Jsonl(ResultsLines(Base)).Replace("\"index\": 4,", "\"index\": \"four\",", StringComparison.Ordinal);

        var problem = await RefusedAsync(client, "bad-line", text);

        Assert.Contains("line 5", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.DataFolder, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_results_file_with_an_index_outside_the_text_set_is_refused()
    {
        using var client = factory.CreateAdminClient();
        var lines = ResultsLines(Base).Append((Index: 99_999L, Tokens: 10, LogLikelihood: -5.0));

        var problem = await RefusedAsync(client, "extra-index", Jsonl(lines));

        Assert.Contains("text index 99999 is not in the text set", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_already_on_the_map_is_refused()
    {
        using var client = factory.CreateAdminClient();

        var problem = await RefusedAsync(client, Base, Jsonl(ResultsLines(Base)));

        Assert.Contains($"\"{Base}\" is already on the map", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_placed_model_keeps_its_place_after_a_restart_and_a_deleted_one_stays_deleted()
    {
        var folder = Directory.CreateTempSubdirectory("loglikemap-restart-").FullName;
        try
        {
            List<ModelPoint> before;
            using (var first = WebAppFactory.Over(folder))
            using (var client = first.CreateAdminClient())
            {
                using var response = await UploadResultsAsync(client, "restart-copy", Jsonl(ResultsLines(Base)));
                var upload = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
                Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, upload.JobId!)).State);
                using var deleted = await client.DeleteAsync("/api/models/aaditya%2FLlama3-OpenBioLLM-8B");
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
                before = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
            }

            using var second = WebAppFactory.Over(folder);
            using var again = second.CreateClient();
            var after = (await again.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;

            Assert.Equal(before.Select(m => (m.Name, m.X, m.Y, m.Provisional)).Order(), after.Select(m => (m.Name, m.X, m.Y, m.Provisional)).Order());
            Assert.DoesNotContain(after, m => m.Name == "aaditya/Llama3-OpenBioLLM-8B");
            Assert.True(after.Single(m => m.Name == "restart-copy").Provisional);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Waits (up to a minute) until Hangfire records a second successful run of the job.</summary>
    private async Task UntilSucceededTwiceAsync(string jobId)
    {
        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (monitoring.JobDetails(jobId).History.Count(h => h.StateName == Hangfire.States.SucceededState.StateName) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} did not run a second time within a minute.");
            await Task.Delay(100);
        }
    }

    private static async Task<ProblemDetails> RefusedAsync(HttpClient client, string name, string jsonl)
    {
        using var response = await UploadResultsAsync(client, name, jsonl);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
    }

    private static async Task<HttpResponseMessage> UploadResultsAsync(HttpClient client, string name, string jsonl)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "results.jsonl");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent("mistral"), "family");
        return await client.PostAsync("/api/uploads/results", form);
    }

    /// <summary>A demo model's results lines as stored in TestData (the paper's format).</summary>
    private static IEnumerable<(long Index, int Tokens, double LogLikelihood)> ResultsLines(string model) =>
        File.ReadLines(Path.Combine(WebAppFactory.DemoMapFolder, "results", model.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(r => (r.GetProperty("index").GetInt64(), r.GetProperty("num-tokens").GetInt32(), r.GetProperty("log-likelihood").GetDouble()));

    private static string Jsonl(IEnumerable<(long Index, int Tokens, double LogLikelihood)> lines) =>
        string.Concat(lines.Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{{\"index\": {l.Index}, \"num-tokens\": {l.Tokens}, \"log-likelihood\": {l.LogLikelihood:R}}}\n")));
}
