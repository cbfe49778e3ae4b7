namespace LogLikeMap.Store;

public enum StoreProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Which database holds the store. Bound from configuration section "Store" by the web app and the CLI.</summary>
public sealed record StoreOptions
{
    /// <summary>The default database, shared by the web app and <c>loglikemap import</c>, relative to the working directory.</summary>
    public const string DefaultSqlitePath = "data/app/loglikemap.db";

    public StoreProvider Provider { get; init; } = StoreProvider.Sqlite;

    /// <summary>An ADO.NET connection string for the provider; for SQLite "Data Source=PATH".</summary>
    public string ConnectionString { get; init; } = $"Data Source={DefaultSqlitePath}";

    /// <summary>The default SQLite store, or one at another path.</summary>
    public static StoreOptions ForSqliteFile(string path) => new() { ConnectionString = $"Data Source={path}" };
}
