namespace LogLikeMap.Web.Uploads;

/// <summary>An upload that fails a check; the message says what is wrong and what to do, and is shown to the user as is.</summary>
public sealed class UploadRejectedException : Exception
{
    public UploadRejectedException(string message)
        : base(message)
    {
    }

    public UploadRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UploadRejectedException()
    {
    }
}
