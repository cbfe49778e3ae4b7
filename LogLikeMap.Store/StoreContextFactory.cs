using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store;

/// <summary>
/// Creates one short-lived context per operation (the Blazor Server pattern) for the configured provider.
/// Register as a singleton <see cref="IDbContextFactory{StoreDbContext}"/>.
/// </summary>
public sealed class StoreContextFactory : IDbContextFactory<StoreDbContext>
{
    private readonly StoreOptions _options;
    private readonly DbContextOptions<SqliteStoreDbContext>? _sqlite;
    private readonly DbContextOptions<PostgreSqlStoreDbContext>? _postgreSql;

    public StoreContextFactory(StoreOptions options)
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
                _postgreSql = new DbContextOptionsBuilder<PostgreSqlStoreDbContext>().UseNpgsql(options.ConnectionString).Options;
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
