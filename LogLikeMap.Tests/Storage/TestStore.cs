using LogLikeMap.Store.Catalog;
using LogLikeMap.Store;
using Microsoft.Data.Sqlite;

namespace LogLikeMap.Tests.Storage;

/// <summary>A migrated SQLite store in a temp file, with the catalog services over it; deleted on dispose.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    private TestStore(string folder)
    {
        Folder = folder;
        Factory = new StoreContextFactory(StoreOptions.ForSqliteFile(DatabasePath));
        TextSets = new TextSetCatalog(Factory);
        Models = new ModelCatalog(Factory);
        Layouts = new LayoutCatalog(Factory);
        Importer = new MatrixImporter(Factory);
        MapFolders = new MapFolderImporter(Factory);
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "store", "loglikemap.db");

    public StoreContextFactory Factory { get; }

    public Microsoft.EntityFrameworkCore.IDbContextFactory<StoreDbContext> Contexts => Factory;

    public TextSetCatalog TextSets { get; }

    public ModelCatalog Models { get; }

    public LayoutCatalog Layouts { get; }

    public MatrixImporter Importer { get; }

    public MapFolderImporter MapFolders { get; }

    /// <summary>A migrated store, or with <paramref name="migrate"/> false one whose database does not exist yet.</summary>
    public static async Task<TestStore> CreateAsync(bool migrate = true)
    {
        var store = new TestStore(Path.Combine(Path.GetTempPath(), "loglikemap-store-" + Guid.NewGuid().ToString("N")));
        if (migrate)
            await store.Factory.MigrateAsync(CancellationToken.None);
        return store;
    }

    public ValueTask DisposeAsync()
    {
        // Pooled SQLite connections keep the file open; release them before deleting.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
