using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LogLikeMap.Store;

/// <summary>
/// Creates one short-lived context per operation (the Blazor Server pattern) for the configured provider.
/// Register as a singleton <see cref="IDbContextFactory{StoreDbContext}"/>.
/// </summary>
/// <remarks>
/// On PostgreSQL, a server on another host, an operation that meets a transient failure (the connection dropped, the
/// server restarting or refusing connections) is retried with growing delays for about two minutes
/// (<see cref="OutageRetries"/>, <see cref="OutageMaxDelay"/>) before its error is reported: a scoring worker rides out a
/// restart of the database instead of failing its job. Work in a transaction goes through
/// <see cref="StoreTransactions.InTransactionAsync{T}"/>, which retries it whole.
/// </remarks>
public sealed class StoreContextFactory : IDbContextFactory<StoreDbContext>
{
    /// <summary>Retries of an operation that met a transient failure; with <see cref="OutageMaxDelay"/> about 2 minutes in all.</summary>
    public const int OutageRetries = 8;

    /// <summary>The longest wait between two tries (EF Core retries at once, then after about 1, 3, 7 and 15 s).</summary>
    public static readonly TimeSpan OutageMaxDelay = TimeSpan.FromSeconds(30);

    private readonly StoreOptions _options;
    private readonly DbContextOptions<SqliteStoreDbContext>? _sqlite;
    private readonly DbContextOptions<PostgreSqlStoreDbContext>? _postgreSql;

    /// <param name="options">Which database.</param>
    /// <param name="loggers">Where EF Core logs, the retries above among them; none when null.</param>
    public StoreContextFactory(StoreOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        switch (options.Provider)
        {
            case StoreProvider.Sqlite:
                CreateSqliteFolder(options.ConnectionString);
                _sqlite = new DbContextOptionsBuilder<SqliteStoreDbContext>().UseSqlite(options.ConnectionString).Options;
                break;
            case StoreProvider.PostgreSql:
                _postgreSql = new DbContextOptionsBuilder<PostgreSqlStoreDbContext>()
                    .UseNpgsql(options.ConnectionString, npgsql => npgsql.EnableRetryOnFailure(OutageRetries, OutageMaxDelay, null))
                    // A retry says the database is unreachable: a warning an operator sees, not EF Core's information.
                    .ConfigureWarnings(w => w.Log((CoreEventId.ExecutionStrategyRetrying, LogLevel.Warning)))
                    .UseLoggerFactory(loggers)
                    .Options;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), $"Unknown store provider '{options.Provider}'.");
        }
    }

    public StoreDbContext CreateDbContext() => _options.Provider switch
    {
        StoreProvider.Sqlite => new SqliteStoreDbContext(_sqlite!),
        _ => new PostgreSqlStoreDbContext(_postgreSql!),
    };

    /// <summary>Applies the provider's migrations (creating the database on first start).</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateDbContext();
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>SQLite creates the file but not its folder; the default path's folder does not exist on a fresh clone.</summary>
    private static void CreateSqliteFolder(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
    }
}
