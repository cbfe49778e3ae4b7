using System.Net.Http.Json;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

internal static class JobPolling
{
    /// <summary>Polls GET /api/jobs/{id} until the job finished (or the timeout, 30 seconds unless given, passed, which fails the test).</summary>
    public static async Task<JobStatus> UntilFinishedAsync(HttpClient client, string jobId, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var status = await client.GetFromJsonAsync<JobStatus>($"/api/jobs/{jobId}");
            if (status is not null && status.State.IsFinished())
                return status;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {jobId} did not finish within {limit}.");
    }
}
