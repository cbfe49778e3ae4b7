using System.Net;
using System.Net.Http.Json;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>Set-up steps that put a model on a running app's map from a results file, as an administrator would.</summary>
public static class ResultsUploads
{
    /// <summary>The upload sample scores of TestData/samples (see its README), by sample name.</summary>
    public static string SampleScores(string sample) => Path.Combine(AppContext.BaseDirectory, "TestData", "samples", sample + ".jsonl");

    /// <summary>Uploads <paramref name="resultsFile"/> as model <paramref name="name"/> of <paramref name="family"/> and waits until its job has placed it.</summary>
    public static async Task PlaceAsync(HttpClient client, string name, string family, string resultsFile)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(name), "name" },
            { new StringContent(family), "family" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(resultsFile)), "file", Path.GetFileName(resultsFile) },
        };
        using var response = await client.PostAsync("/api/uploads/results", form);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var queued = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, queued.JobId!, TimeSpan.FromMinutes(2))).State);
    }
}
