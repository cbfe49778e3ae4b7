namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// A checkpoint folder or file that cannot be used as it is: missing, malformed, unsafe or unsupported. The
/// message names the file (and the tensor or setting) and says what to do, so it can be shown to the user as is.
/// </summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message) { }

    public CheckpointException(string message, Exception innerException) : base(message, innerException) { }
}
