using Microsoft.Data.Sqlite;

namespace LogLikeMap.Web.Services;

/// <summary>Tells a full data disk from other failures, wherever in an exception's chain it surfaced.</summary>
public static class DiskFull
{
    /// <summary>errno ENOSPC: .NET on Unix gives an IOException the raw errno as its HResult.</summary>
    private const int NoSpaceErrno = 28;

    /// <summary>Windows ERROR_DISK_FULL (112) and ERROR_HANDLE_DISK_FULL (39) as HRESULTs.</summary>
    private const int WindowsDiskFull = unchecked((int)0x80070070), WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>SQLite's SQLITE_FULL: "database or disk is full".</summary>
    private const int SqliteFull = 13;

    public const string Message =
        "The server's data disk is full, so nothing of this was kept. Ask the administrator to free space (old uploads, "
        + "the job database), then try again.";

    public static bool Caused(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: NoSpaceErrno or WindowsDiskFull or WindowsHandleDiskFull }
                || e is SqliteException { SqliteErrorCode: SqliteFull })
            {
                return true;
            }
        }
        return false;
    }
}
