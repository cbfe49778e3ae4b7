using System.Text.Json.Serialization;

namespace LogLikeMap.Web.Services;

/// <summary>Where a background job stands (<see cref="JobStatus.State"/>); written by name in the API and the job state files.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What a background job does (<see cref="JobStatus.Kind"/>); written in lower case in the API and the job state files.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobKind>))]
public enum JobKind
{
    /// <summary>Scoring an upload's checkpoint, or checking its results file, then placing it.</summary>
    [JsonStringEnumMemberName("score")]
    Score,

    /// <summary>A full re-centering and t-SNE layout of the map.</summary>
    [JsonStringEnumMemberName("refresh")]
    Refresh,

    /// <summary>Placing an upload that workers scored (a shared store, issue 12).</summary>
    [JsonStringEnumMemberName("place")]
    Place,
}

public static class JobStateExtensions
{
    /// <summary>Succeeded, failed or cancelled: the job will not change again.</summary>
    public static bool IsFinished(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
