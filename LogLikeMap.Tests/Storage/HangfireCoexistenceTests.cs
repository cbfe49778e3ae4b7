using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage.SQLite;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Tests.Storage;

/// <summary>
/// docs/stack.md: EF Core's SQLite provider and Hangfire.Storage.SQLite end up on a mix of SQLitePCLRaw versions. The web
/// app runs both in one process, so this test uses both, interleaved, in one process.
/// It runs alone (not in parallel with other test classes): both libraries initialise SQLitePCLRaw process-wide,
/// and Hangfire's logging is process-wide too: a web test app running at the same time would hand it its logger.
/// </summary>
[Collection(nameof(SqliteProcessWideCollection))]
public class HangfireCoexistenceTests
{
    [Fact]
    public async Task EfCoreStoreAndHangfireSqliteStorageWorkInOneProcess()
    {
        // Hangfire keeps its log provider in a process-wide static; a web test app that has ended may have left its
        // (now disposed) logger factory there, so start from Hangfire's own default.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        await using var store = await TestStore.CreateAsync();
        var set = await store.TextSets.AddAsync(new TextSet([new TextRecord(0, "some text", "A")]), "tiny", CancellationToken.None);
        await store.Models.AddOrReplaceScoresAsync(
            new ScoredModel(new ModelMetadata("before-hangfire"), set.ContentHash, [new Core.Formats.TextScore(0, 2, -1.5)], "float32", "test"),
            CancellationToken.None);

        using (var hangfire = new SQLiteStorage(Path.Combine(store.Folder, "hangfire.db"), new SQLiteStorageOptions()))
        {
            var client = new BackgroundJobClient(hangfire);
            var jobId = client.Create(Job.FromExpression(() => Console.WriteLine("queued by the coexistence test")), new EnqueuedState());

            Assert.False(string.IsNullOrEmpty(jobId));
            Assert.Equal(1, hangfire.GetMonitoringApi().EnqueuedCount(EnqueuedState.DefaultQueue));
            using var connection = hangfire.GetConnection();
            Assert.Equal(EnqueuedState.StateName, connection.GetJobData(jobId).State);
        }

        await store.Models.AddOrReplaceScoresAsync(
            new ScoredModel(new ModelMetadata("after-hangfire"), set.ContentHash, [new Core.Formats.TextScore(0, 2, -2.5)], "float32", "test"),
            CancellationToken.None);
        var stored = await store.Models.ReadMatrixAsync(set.Id, CancellationToken.None);
        Assert.Equal(["after-hangfire", "before-hangfire"], stored.Matrix.ModelNames);
        Assert.Equal([-2.5, -1.5], stored.Matrix.Values.ToArray());
    }
}

[CollectionDefinition(nameof(SqliteProcessWideCollection), DisableParallelization = true)]
public sealed class SqliteProcessWideCollection;
