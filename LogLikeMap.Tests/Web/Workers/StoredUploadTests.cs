using System.Security.Cryptography;
using LogLikeMap.Store;
using LogLikeMap.Store.Catalog;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Tests.Web.Workers;

/// <summary>
/// The shared state of issue 12 on a real PostgreSQL server: uploads stored in 4 MiB chunks and read back with every
/// hash checked, and chunks of scores stored at most once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StoredUploadTests(PostgresServer server)
{
    [Fact]
    public async Task An_upload_comes_back_byte_for_byte_from_its_chunks_with_the_sha256_of_the_whole()
    {
        var store = await StoreAsync();
        var bytes = RandomBytes(2 * UploadStore.ChunkBytes + 12345, seed: 1);
        using var copy = new TempFile();

        var sha = await new UploadStore(store).SaveAsync("a1", "{\"kind\":\"test\"}", new MemoryStream(bytes), CancellationToken.None);
        await new UploadStore(store).CopyToFileAsync("a1", copy.Path, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(copy.Path));
        await using var db = store.CreateDbContext();
        Assert.Equal([UploadStore.ChunkBytes, UploadStore.ChunkBytes, 12345], await db.StoredUploadChunks.OrderBy(c => c.ChunkIndex).Select(c => c.Bytes.Length).ToListAsync());
        Assert.Equal("{\"kind\":\"test\"}", await new UploadStore(store).ManifestAsync("a1", CancellationToken.None));
    }

    [Fact]
    public async Task A_damaged_chunk_is_refused_naming_it()
    {
        var store = await StoreAsync();
        await new UploadStore(store).SaveAsync("b2", "{}", new MemoryStream(RandomBytes(UploadStore.ChunkBytes + 10, seed: 2)), CancellationToken.None);
        await using (var db = store.CreateDbContext())
        {
            var chunk = await db.StoredUploadChunks.SingleAsync(c => c.UploadId == "b2" && c.ChunkIndex == 1);
            chunk.Bytes = [.. chunk.Bytes.Select(b => (byte)~b)];
            await db.SaveChangesAsync();
        }
        using var copy = new TempFile();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new UploadStore(store).CopyToFileAsync("b2", copy.Path, CancellationToken.None));

        Assert.Equal("Chunk 1 of upload b2 does not match its SHA-256 in the store: the stored copy is damaged. Upload it again.", error.Message);
    }

    [Fact]
    public async Task An_upload_whose_write_the_database_cuts_off_is_written_again_whole_once_it_is_back()
    {
        var connection = await server.CreateDatabaseAsync();
        var store = new StoreContextFactory(new StoreOptions { Provider = StoreProvider.PostgreSql, ConnectionString = connection });
        await store.MigrateAsync(CancellationToken.None);
        var bytes = RandomBytes(2 * UploadStore.ChunkBytes + 10, seed: 3);
        Task? restored = null;
        // The database is cut off while the second chunk is read, and let back in three seconds later.
        using var archive = new CutOffWhileRead(bytes, UploadStore.ChunkBytes, async () =>
        {
            var outage = await server.CutOffAsync(connection);
            restored = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => outage.DisposeAsync().AsTask()).Unwrap();
        });

        var sha = await new UploadStore(store).SaveAsync("d4", "{}", archive, CancellationToken.None);
        await restored!;

        Assert.True(archive.Passes >= 2, "The write was not made again.");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha);
        await using var db = store.CreateDbContext();
        Assert.Equal(1, await db.StoredUploads.CountAsync(u => u.UploadId == "d4"));
        Assert.Equal([0, 1, 2], await db.StoredUploadChunks.Where(c => c.UploadId == "d4").OrderBy(c => c.ChunkIndex).Select(c => c.ChunkIndex).ToListAsync());
        using var copy = new TempFile();
        await new UploadStore(store).CopyToFileAsync("d4", copy.Path, CancellationToken.None);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(copy.Path));
    }

    [Fact]
    public async Task A_chunk_of_scores_is_stored_once_and_a_second_copy_leaves_the_first()
    {
        var store = await StoreAsync();
        var partials = new PartialScoreStore(store);
        var chunk = new ScoredChunk(3, 192, [-1.5, -2.25], [7, 9], "host:cpu:1");

        Assert.True(await partials.AddAsync("c3", chunk, CancellationToken.None));
        Assert.False(await partials.AddAsync("c3", chunk with { LogLikelihoods = [-9, -9], ScoredBy = "host:cpu:2" }, CancellationToken.None));

        var stored = Assert.Single(await partials.ReadAsync("c3", CancellationToken.None));
        Assert.Equal((3, 192, "host:cpu:1"), (stored.ChunkIndex, stored.FirstPosition, stored.ScoredBy));
        Assert.Equal([-1.5, -2.25], stored.LogLikelihoods);
        Assert.Equal([7, 9], stored.TokenCounts);
    }

    private async Task<StoreContextFactory> StoreAsync()
    {
        var factory = new StoreContextFactory(new StoreOptions { Provider = StoreProvider.PostgreSql, ConnectionString = await server.CreateDatabaseAsync() });
        await factory.MigrateAsync(CancellationToken.None);
        return factory;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>An archive that runs <paramref name="cutOff"/> once, when a read first passes <paramref name="at"/> bytes; counts the passes from its start.</summary>
    private sealed class CutOffWhileRead(byte[] bytes, long at, Func<Task> cutOff) : MemoryStream(bytes, writable: false)
    {
        private bool _cut;

        public int Passes { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position == 0)
                Passes++;
            if (!_cut && Position >= at)
            {
                _cut = true;
                await cutOff();
            }
            return await base.ReadAsync(buffer, cancellationToken);
        }
    }

    private sealed class TempFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "loglikemap-copy-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => File.Delete(Path);
    }
}
