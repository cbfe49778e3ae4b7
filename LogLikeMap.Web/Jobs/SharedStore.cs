using LogLikeMap.Store;
using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// Whether workers on other hosts share this app's state (issue 12): the store and Hangfire both in PostgreSQL. Then
/// uploads are kept in the database in chunks, scores are written chunk by chunk, and placement is a map-queue job of
/// the web role; otherwise (the embedded default) one process scores from and places with its own data folder.
/// </summary>
public sealed record SharedStore(bool Enabled)
{
    public static SharedStore Of(DataOptions data, JobsOptions jobs)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(jobs);
        return new SharedStore(data.Database == StoreProvider.PostgreSql && jobs.Storage == JobStorageKind.PostgreSql);
    }
}
