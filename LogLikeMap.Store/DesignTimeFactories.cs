using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LogLikeMap.Store;

// Used only by `dotnet ef migrations add` to build each provider's model; no database is opened.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteStoreDbContext>
{
    public SqliteStoreDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteStoreDbContext>().UseSqlite($"Data Source={StoreOptions.DefaultSqlitePath}").Options);
}

internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlStoreDbContext>
{
    public PostgreSqlStoreDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlStoreDbContext>().UseNpgsql("Host=localhost;Database=loglikemap").Options);
}
