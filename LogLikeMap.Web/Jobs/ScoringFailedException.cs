using LogLikeMap.Scoring;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// An upload's checkpoint could not be loaded or scored. The message is for the user as it stands: libtorch's native
/// text is translated (<see cref="TorchErrorText"/>) and files are named relative to the checkpoint, not by the
/// server's paths; the original exception stays inside for the log.
/// </summary>
public sealed class ScoringFailedException : Exception
{
    private ScoringFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The failure of scoring <paramref name="checkpointFolder"/>, told to the user.</summary>
    public static ScoringFailedException From(Exception e, string checkpointFolder)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = TorchErrorText.IsNative(e)
            ? TorchErrorText.Describe(e, "while loading or scoring the model")
            : CheckpointPaths.Relative(e.Message, checkpointFolder, "the checkpoint");
        return new ScoringFailedException(message, e);
    }
}
