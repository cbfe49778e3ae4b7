using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Scoring;
using LogLikeMap.Store;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Tests.Web.Uploads;
using LogLikeMap.Web.Services;
using Xunit.Abstractions;

namespace LogLikeMap.Tests.Web.Workers;

/// <summary>
/// Issue 12 end to end: the web role and two scoring workers as separate OS processes over one PostgreSQL server,
/// sharing no disk. Uploads are scored on whichever worker is free and placed by the web role; a worker killed mid-job
/// loses nothing; a poison checkpoint fails once and the workers go on.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkerProcessTests(PostgresServer server, ITestOutputHelper output)
{
    /// <summary>Generous: the shared test box has been seen at a load of 75 on 2 cores, where one chunk takes a minute.</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task Three_uploads_are_scored_in_parallel_by_two_workers_and_placed_and_a_poison_checkpoint_fails_once_without_stopping_them()
    {
        await using var cluster = await WorkerCluster.StartAsync(server, workers: 2);
        using var client = cluster.CreateAdminClient();
        var zip = WorkerCluster.TinyGpt2Zip();
        var poison = BrokenUploadApiTests.ZipFolder(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"), edit: null,
            weights: bytes => BrokenUploadApiTests.SetFirstValue(bytes, "transformer.ln_f.weight", Half.NaN));
        string[] names = ["workers/tiny-a", "workers/tiny-b", "workers/tiny-c"];

        var poisonJob = await cluster.UploadAsync(client, "workers/poison", poison);
        foreach (var name in names)
            await cluster.UploadAsync(client, name, zip);
        await cluster.WaitUntilPlacedAsync(client, names, JobTimeout);
        var failed = await JobPolling.UntilFinishedAsync(client, poisonJob, JobTimeout);

        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("'transformer.ln_f.weight' holds NaN", failed.Error, StringComparison.Ordinal);
        Assert.All(cluster.Workers, w => Assert.False(w.HasExited, "A worker stopped: " + w.Tail()));
        // Both processes scored: the uploads did not wait for one worker.
        Assert.All(cluster.Workers, w => Assert.NotEmpty(WorkerCluster.StoredChunks(w)));
        var vectors = await cluster.VectorsAsync();
        var expected = await ScoreInThisProcessAsync(cluster, WorkerCluster.ChunkTexts);
        Assert.All(names, name => Assert.Equal(expected, vectors[name]));
        Assert.DoesNotContain("workers/poison", vectors.Keys);
    }

    [Fact]
    public async Task A_killed_workers_job_is_taken_over_and_finishes_with_every_chunk_scored_once_and_the_uninterrupted_result()
    {
        // A pause after each chunk makes the job last long enough to kill its worker between two chunks.
        await using var cluster = await WorkerCluster.StartAsync(server, workers: 2, new Dictionary<string, string> { ["Jobs:ScoringChunkDelay"] = "00:00:01" });
        using var client = cluster.CreateAdminClient();
        var zip = WorkerCluster.TinyGpt2Zip();
        await cluster.UploadAsync(client, "workers/uninterrupted", zip);
        await cluster.WaitUntilPlacedAsync(client, ["workers/uninterrupted"], JobTimeout);
        var before = cluster.Workers.ToDictionary(w => w, w => WorkerCluster.StoredChunks(w).Count);

        await cluster.UploadAsync(client, "workers/taken-over", zip);
        var victim = await FirstToStoreAsync(cluster, before);
        var upload = WorkerCluster.StoredChunks(victim).Skip(before[victim]).First().UploadId;
        victim.Kill();
        var killedAt = Stopwatch.StartNew();
        var survivor = Assert.Single(cluster.Workers, w => w != victim);
        await survivor.WaitForLineAsync(l => l.Contains($"of upload {upload} ", StringComparison.Ordinal), JobTimeout);
        var takenOverAfter = killedAt.Elapsed;
        await cluster.WaitUntilPlacedAsync(client, ["workers/taken-over"], JobTimeout);
        output.WriteLine($"The killed worker's job stored its next chunk on the other worker {takenOverAfter.TotalSeconds:F1} s after the kill.");

        var chunks = cluster.Workers.SelectMany(WorkerCluster.StoredChunks).Where(c => c.UploadId == upload).Select(c => c.Chunk).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, WorkerCluster.TextCount / WorkerCluster.ChunkTexts), chunks);
        Assert.Contains(WorkerCluster.StoredChunks(victim), c => c.UploadId == upload);
        Assert.Contains(WorkerCluster.StoredChunks(survivor), c => c.UploadId == upload);
        var vectors = await cluster.VectorsAsync();
        Assert.Equal(vectors["workers/uninterrupted"], vectors["workers/taken-over"]);
    }

    [Fact]
    public async Task A_worker_that_loses_the_database_mid_job_reconnects_and_finishes_the_job_with_every_chunk_scored_once()
    {
        await using var cluster = await WorkerCluster.StartAsync(server, workers: 1, new Dictionary<string, string> { ["Jobs:ScoringChunkDelay"] = "00:00:01" });
        using var client = cluster.CreateAdminClient();
        var worker = Assert.Single(cluster.Workers);
        var job = await cluster.UploadAsync(client, "workers/outage", WorkerCluster.TinyGpt2Zip());
        await worker.WaitForLineAsync(l => l.Contains("Stored chunk ", StringComparison.Ordinal), JobTimeout);

        var cutAt = Stopwatch.StartNew();
        await using (await server.CutOffAsync(cluster.ConnectionString))
        {
            // The outage lasts until the job has met it in the store (the heartbeat meets it first), at most a minute.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (DateTime.UtcNow < deadline && !worker.Lines.Any(IsStoreRetry))
                await Task.Delay(100);
            output.WriteLine($"Database cut off for {cutAt.Elapsed.TotalSeconds:F1} s.");
        }
        var finished = await JobPolling.UntilFinishedAsync(client, job, JobTimeout);
        Assert.True(finished.State == JobState.Succeeded, $"The job {finished.State}: {finished.Error}");
        await cluster.WaitUntilPlacedAsync(client, ["workers/outage"], JobTimeout);

        Assert.False(worker.HasExited, "The worker stopped: " + worker.Tail());
        Assert.False(cluster.Web.HasExited, "The web role stopped: " + cluster.Web.Tail());
        Assert.Contains(worker.Lines, IsStoreRetry);
        var upload = WorkerCluster.StoredChunks(worker).First().UploadId;
        var chunks = WorkerCluster.StoredChunks(worker).Where(c => c.UploadId == upload).Select(c => c.Chunk).Order();
        Assert.Equal(Enumerable.Range(0, WorkerCluster.TextCount / WorkerCluster.ChunkTexts), chunks);
        var vectors = await cluster.VectorsAsync();
        Assert.Equal(await ScoreInThisProcessAsync(cluster, WorkerCluster.ChunkTexts), vectors["workers/outage"]);

        // The store's warning for an operation that met a transient failure and waits to try again (EF Core's words).
        static bool IsStoreRetry(string line) => line.Contains("The operation will be retried after", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shards_queued_by_the_queue_verb_are_scored_by_the_workers_joined_into_the_single_job_vector_and_shown_by_the_web_role()
    {
        // Two seconds after each chunk: every shard job is queued or running long enough for the web role to see it.
        await using var cluster = await WorkerCluster.StartAsync(server, workers: 2, new Dictionary<string, string> { ["Jobs:ScoringChunkDelay"] = "00:00:02" });
        using var client = cluster.CreateAdminClient();
        await cluster.UploadAsync(client, "workers/one-job", WorkerCluster.TinyGpt2Zip());
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await QueueCommand.Create().Parse([
            "--connection", cluster.ConnectionString, "--shards", "3", "--chunk-texts", WorkerCluster.ChunkTexts.ToString(CultureInfo.InvariantCulture),
            "--name", "workers/three-shards", "--family", "gpt2", Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"),
        ]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Assert.True(exit == 0, error.ToString());
        await cluster.WaitUntilPlacedAsync(client, ["workers/one-job", "workers/three-shards"], JobTimeout);

        var line = output.ToString().Trim();
        Assert.Matches(@"^workers/three-shards\tupload [0-9a-f]{32}\tjobs \d+,\d+,\d+$", line);
        var upload = line.Split('\t')[1]["upload ".Length..];
        var chunks = cluster.Workers.SelectMany(WorkerCluster.StoredChunks).Where(c => c.UploadId == upload).Select(c => c.Chunk).Order();
        Assert.Equal(Enumerable.Range(0, WorkerCluster.TextCount / WorkerCluster.ChunkTexts), chunks);
        var vectors = await cluster.VectorsAsync();
        Assert.Equal(vectors["workers/one-job"], vectors["workers/three-shards"]);
        // The web role, which did not queue them, knows the shard jobs by their model (the Jobs page lists them).
        foreach (var job in line.Split('\t')[2]["jobs ".Length..].Split(','))
        {
            var status = await JobPolling.UntilFinishedAsync(client, job, JobTimeout);
            Assert.Equal((JobKind.Score, "workers/three-shards", JobState.Succeeded), (status.Kind, status.ModelName, status.State));
        }
    }

    /// <summary>The worker whose output first tells of a chunk stored after the counts given.</summary>
    private static async Task<AppProcess> FirstToStoreAsync(WorkerCluster cluster, IReadOnlyDictionary<AppProcess, int> before)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (cluster.Workers.FirstOrDefault(w => WorkerCluster.StoredChunks(w).Count > before[w]) is { } worker)
                return worker;
            await Task.Delay(20);
        }
        throw new TimeoutException("No worker stored a chunk of the second upload.");
    }

    /// <summary>
    /// The tiny GPT-2's vector on the map's texts scored here, chunk by chunk as the workers cut them: the numbers the
    /// workers must have stored, whichever of them scored which chunk.
    /// </summary>
    private static async Task<double[]> ScoreInThisProcessAsync(WorkerCluster cluster, int chunkTexts)
    {
        var store = new StoreContextFactory(new StoreOptions { Provider = StoreProvider.PostgreSql, ConnectionString = cluster.ConnectionString });
        var catalog = new TextSetCatalog(store);
        var texts = (await catalog.LoadTextsAsync((await catalog.CurrentAsync(CancellationToken.None))!.Id, CancellationToken.None)).Texts;
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"), new ScoringOptions());
        var vector = new List<double>();
        foreach (var chunk in texts.Chunk(chunkTexts))
        {
            var scores = (await scorer.ScoreAsync([.. chunk.Select(t => scorer.Tokenize(t.Index, t.Text))], null, CancellationToken.None)).ToDictionary(s => s.Index);
            vector.AddRange(chunk.Select(t => scores[t.Index].LogLikelihood));
        }
        return [.. vector];
    }
}
