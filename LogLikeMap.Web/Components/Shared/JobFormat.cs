using System.Globalization;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Components.Shared;

/// <summary>How a job's progress reads: "120 / 300 texts", "1,234 tokens/s", "about 3 min left".</summary>
public static class JobFormat
{
    public static bool IsActive(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.State is JobState.Queued or JobState.Running;
    }

    /// <summary>Per cent of texts scored, 0 while the total is unknown.</summary>
    public static double Percent(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.TextsTotal > 0 ? 100.0 * job.TextsDone / job.TextsTotal : 0;
    }

    /// <summary>
    /// What the job does. A placement job that succeeded without scoring a text placed an uploaded results file:
    /// "Placing", not "Scoring".
    /// </summary>
    public static string Title(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Kind == JobKind.Refresh)
            return "Full layout refresh";
        if (job.Kind == JobKind.Place)
            return $"Placing {job.ModelName}";
        return NeverScored(job) && job.State == JobState.Succeeded ? $"Placing {job.ModelName}" : $"Scoring {job.ModelName}";
    }

    public static string Texts(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.TextsTotal > 0)
            return string.Create(CultureInfo.InvariantCulture, $"{job.TextsDone:N0} / {job.TextsTotal:N0} texts");
        if (!NeverScored(job))
            return "counting texts";
        return job.State == JobState.Succeeded ? "placed from its results file: nothing to score" : "stopped before any text was scored";
    }

    private static bool NeverScored(JobStatus job) => job.State.IsFinished() && job.TextsTotal == 0;

    /// <summary>The host and device that run or ran the job ("gpu-1, cuda:0"); empty before it started.</summary>
    public static string Where(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return string.Join(", ", new[] { job.Host, job.Device }.Where(p => !string.IsNullOrEmpty(p)));
    }

    public static string Speed(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.TokensPerSecond > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{job.TokensPerSecond:N0} tokens/s")
            : string.Empty;
    }

    public static string TimeLeft(TimeSpan? left) => left switch
    {
        null => string.Empty,
        { TotalSeconds: < 1 } => "almost done",
        { TotalMinutes: < 1 } t => string.Create(CultureInfo.InvariantCulture, $"about {t.Seconds} s left"),
        { TotalHours: < 1 } t => string.Create(CultureInfo.InvariantCulture, $"about {t.Minutes} min {t.Seconds} s left"),
        { } t => string.Create(CultureInfo.InvariantCulture, $"about {(int)t.TotalHours} h {t.Minutes} min left"),
    };

    public static MudBlazor.Color StateColour(JobState state) => state switch
    {
        JobState.Succeeded => MudBlazor.Color.Success,
        JobState.Failed => MudBlazor.Color.Error,
        JobState.Cancelled => MudBlazor.Color.Warning,
        JobState.Running => MudBlazor.Color.Info,
        JobState.Queued => MudBlazor.Color.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };
}
