using System.Text.RegularExpressions;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Web.Uploads;
using LogLikeMap.Web.Jobs;

namespace LogLikeMap.Web.Services;

/// <summary>
/// What a failed job says on the Jobs page and in the API. Messages written for users (a refused upload or checkpoint,
/// a damaged results file, a name clash) are kept, without the server's folders: a path is cut to its file name.
/// Anything else (a native libtorch error with its stack frames, a database error) is named only by its kind; its
/// details go to the server's log and the job dashboard, which only administrators open.
/// </summary>
public static partial class JobErrors
{
    public static string Shown(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (DiskFull.Caused(e))
            return DiskFull.Message;
        return IsWrittenForUsers(e) ? WithoutServerPaths(e.Message) : Generic(e.GetType().Name);
    }

    /// <summary>The same for a failure known only by Hangfire's record of it (its exception's type name and message).</summary>
    public static string Shown(string? exceptionType, string? message)
    {
        var type = exceptionType?.Split(',')[0].Trim() ?? "";
        var name = type[(type.LastIndexOf('.') + 1)..];
        if (name is "UploadRejectedException" or "CheckpointException" or "ScoringFailedException" or "InvalidDataException" or "NotSupportedException" or "InvalidOperationException"
            && message is not null)
        {
            return WithoutServerPaths(message);
        }
        return Generic(name.Length > 0 ? name : "unknown error");
    }

    private static bool IsWrittenForUsers(Exception e) =>
        e is UploadRejectedException or CheckpointException or ScoringFailedException or InvalidDataException or NotSupportedException
        // The jobs' own refusals ("another model of that name is on the map"); framework ones name no file content.
        || e.GetType() == typeof(InvalidOperationException);

    private static string Generic(string kind) =>
        $"The job failed on the server ({kind}). The administrator finds the details in the server's log and on the job dashboard.";

    /// <summary>"/srv/data/uploads/ab12/checkpoint/config.json is ..." becomes "config.json is ...".</summary>
    internal static string WithoutServerPaths(string message) => AbsolutePath().Replace(message, m => Path.GetFileName(m.Value.TrimEnd('/', '\\')));

    /// <summary>A Unix path from the root, or a Windows one from a drive, starting a word; up to a space, quote or bracket.</summary>
    [GeneratedRegex(@"(?<![\w./\\-])(?:/|[A-Za-z]:\\)[^\s'""()\[\]{}<>,;]+")]
    private static partial Regex AbsolutePath();
}
