using System.Text.Json;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Jobs;

/// <summary>
/// A job's kind and state are enums in the code and the words the API and the job state files have always used on the
/// wire: "score" / "refresh" / "place" and "Queued" ... "Cancelled". A state file written before they were enums reads back.
/// </summary>
public sealed class JobStatusJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(JobKind.Score, "score", JobState.Queued, "Queued")]
    [InlineData(JobKind.Refresh, "refresh", JobState.Running, "Running")]
    [InlineData(JobKind.Place, "place", JobState.Cancelled, "Cancelled")]
    public void Kind_and_state_are_written_as_the_api_names_them(JobKind kind, string kindName, JobState state, string stateName)
    {
        var json = JsonSerializer.SerializeToElement(
            new JobStatus("9", kind, "org/m", state, 1, 2, 3.5, null, null, DateTimeOffset.UnixEpoch), Web);

        Assert.Equal(kindName, json.GetProperty("kind").GetString());
        Assert.Equal(stateName, json.GetProperty("state").GetString());
    }

    [Fact]
    public void A_state_file_from_before_the_enums_reads_back()
    {
        const string file = """{"jobId":"4","kind":"score","modelName":"org/m","state":"Failed","textsDone":3,"textsTotal":10,"tokensPerSecond":0,"timeLeft":null,"error":"boom","updated":"2026-01-01T00:00:00+00:00"}""";

        var status = JsonSerializer.Deserialize<JobStatus>(file, Web)!;

        Assert.Equal(JobKind.Score, status.Kind);
        Assert.Equal(JobState.Failed, status.State);
        Assert.True(status.State.IsFinished());
    }
}
