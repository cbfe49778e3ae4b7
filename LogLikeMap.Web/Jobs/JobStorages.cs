using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;

namespace LogLikeMap.Web.Jobs;

/// <summary>
/// The Hangfire storage that Jobs:Storage names, built for one app. Hangfire's own <c>Use...Storage</c> calls set the
/// process-wide <c>JobStorage.Current</c>, so two apps in one process (the tests' web apps) would share whichever was
/// configured last; an app registers what this builds as its own <see cref="JobStorage"/> instead, and every Hangfire
/// client, server and dashboard of that app is resolved with it (docs/stack.md).
/// </summary>
public static class JobStorages
{
    /// <param name="options">Storage, ConnectionString, QueuePollInterval and InvisibilityTimeout are read.</param>
    /// <param name="dataFolder">Where the SQLite storage's file goes when Jobs:ConnectionString names none.</param>
    public static JobStorage Create(JobsOptions options, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Storage)
        {
            case JobStorageKind.Sqlite:
                return new SQLiteStorage(options.ConnectionString ?? Path.Combine(dataFolder, "jobs.db"), new SQLiteStorageOptions
                {
                    QueuePollInterval = options.QueuePollInterval,
                    InvisibilityTimeout = options.InvisibilityTimeout,
                });
            case JobStorageKind.PostgreSql:
                var postgres = new PostgreSqlStorageOptions
                {
                    QueuePollInterval = options.QueuePollInterval,
                    InvisibilityTimeout = options.InvisibilityTimeout,
                };
                return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.ConnectionString, postgres), postgres);
            case JobStorageKind.InMemory:
                return new InMemoryStorage();
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Storage, "Unknown job storage.");
        }
    }
}
