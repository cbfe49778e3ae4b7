namespace LogLikeMap.Web.Services;

/// <summary>The values of <see cref="JobStatus.State"/>.</summary>
public static class JobStates
{
    public const string Queued = "Queued";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static bool IsFinished(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>The values of <see cref="JobStatus.Kind"/>.</summary>
public static class JobKinds
{
    public const string Score = "score";
    public const string Refresh = "refresh";

    /// <summary>Placing an upload that workers scored (a shared store, issue 12).</summary>
    public const string Place = "place";
}
