using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LogLikeMap.Store;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Tests.Web.Uploads;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Workers;

/// <summary>
/// One web role and scoring workers, each an OS process of its own, over one PostgreSQL database (store and Hangfire)
/// and nothing else shared: each process has its own data folder. Heartbeats every second and a 15-second orphan window
/// (wide enough for a starved test box's late heartbeats) make a killed worker's job change hands within seconds.
/// </summary>
public sealed partial class WorkerCluster : IAsyncDisposable
{
    /// <summary>Libtorch's first load and the demo map's first layout take seconds on a loaded 2-core box.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Texts of the map the cluster starts with: few and short enough that a starved 2-core box scores one tiny model
    /// within minutes even at a load of 70, and with <see cref="ChunkTexts"/> per chunk still six chunks a job.
    /// </summary>
    public const int TextCount = 12;

    public const int ChunkTexts = 2;

    private readonly List<AppProcess> _workers = [];

    private readonly string _demoMap;

    private WorkerCluster(string connectionString, IReadOnlyDictionary<string, string> common, AppProcess web, string demoMap) =>
        (ConnectionString, _common, Web, _demoMap) = (connectionString, common, web, demoMap);

    private readonly IReadOnlyDictionary<string, string> _common;

    public string ConnectionString { get; }

    public AppProcess Web { get; }

    public IReadOnlyList<AppProcess> Workers => _workers;

    public static async Task<WorkerCluster> StartAsync(PostgresServer server, int workers, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var database = await server.CreateDatabaseAsync();
        var common = new Dictionary<string, string>
        {
            ["Data:Database"] = "PostgreSql",
            ["Data:ConnectionString"] = database,
            ["Jobs:Storage"] = "PostgreSql",
            ["Jobs:ConnectionString"] = database,
            ["Jobs:ServerHeartbeat"] = "00:00:01",
            ["Jobs:OrphanAfter"] = "00:00:15",
            ["Jobs:QueuePollInterval"] = "00:00:00.500",
            ["Jobs:ScoringChunkTexts"] = ChunkTexts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            common[key] = value;
        var demoMap = SmallDemoMap();
        var web = await AppProcess.StartAsync("web", new Dictionary<string, string>(common)
        {
            ["Jobs:Roles"] = "Web",
            ["Data:DemoMapFolder"] = demoMap,
            ["Security:AdminUser"] = "admin",
            ["Security:AdminPasswordHash"] = "pbkdf2-sha256$1000$bG9nbGlrZW1hcC10ZXN0cw==$PQvmCb7bLdeA/bFUZ9SvHuzLRCmGk6Q3FVISJ+3cktk=",
            ["Security:ApiKeyHashes:0"] = "47bd0e2f856fe258ebba4d00930ab811d0c004dafae068c9d72511ca3512cca6",
        }, StartTimeout);
        var cluster = new WorkerCluster(database, common, web, demoMap);
        for (var i = 0; i < workers; i++)
            await cluster.StartWorkerAsync();
        return cluster;
    }

    public async Task<AppProcess> StartWorkerAsync()
    {
        // One libtorch thread each, as a host gives its CPU workers their share of the cores: two workers that each took
        // every core of a 2-core box would contend for them.
        var worker = await AppProcess.StartAsync(
            "worker", new Dictionary<string, string>(_common) { ["Jobs:Roles"] = "Worker", ["Jobs:ScoringThreads"] = "1" }, StartTimeout);
        _workers.Add(worker);
        return worker;
    }

    public HttpClient CreateAdminClient() => Web.CreateClient(WebAppFactory.ApiKey);

    /// <summary>Uploads a checkpoint zip through the web role; returns the upload's job id.</summary>
    public async Task<string> UploadAsync(HttpClient client, string name, byte[] zip)
    {
        using var response = await CheckpointUploadApiTests.UploadZipAsync(client, name, zip);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Upload of {name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<UploadResult>())!.JobId!;
    }

    /// <summary>Waits until every named model is on the web role's map.</summary>
    public async Task WaitUntilPlacedAsync(HttpClient client, IReadOnlyCollection<string> names, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var models = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
            if (names.All(n => models.Any(m => m.Name == n)))
                return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"Not all of {string.Join(", ", names)} were placed within {timeout}.\nweb:\n{Web.Tail()}\n"
            + string.Join('\n', _workers.Select((w, i) => $"worker {i}:\n{w.Tail()}")));
    }

    /// <summary>The stored vectors of the current text set, by model name.</summary>
    public async Task<IReadOnlyDictionary<string, double[]>> VectorsAsync()
    {
        var store = new StoreContextFactory(new StoreOptions { Provider = StoreProvider.PostgreSql, ConnectionString = ConnectionString });
        var textSet = (await new TextSetCatalog(store).CurrentAsync(CancellationToken.None))!;
        var stored = await new ModelCatalog(store).ReadMatrixAsync(textSet.Id, CancellationToken.None);
        var values = stored.Matrix.Values.ToArray();
        var columns = values.Length / stored.Matrix.ModelCount;
        return stored.Matrix.ModelNames.Select((name, row) => (name, row))
            .ToDictionary(p => p.name, p => values[(p.row * columns)..((p.row + 1) * columns)]);
    }

    /// <summary>The chunks a worker's output says it stored: (upload id, chunk index).</summary>
    public static IReadOnlyList<(string UploadId, int Chunk)> StoredChunks(AppProcess worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return [.. worker.Lines.Select(l => StoredChunkLine().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups["upload"].Value, int.Parse(m.Groups["chunk"].Value, System.Globalization.CultureInfo.InvariantCulture)))];
    }

    [GeneratedRegex(@"Stored chunk (?<chunk>\d+) of upload (?<upload>[0-9a-f]+) ")]
    private static partial Regex StoredChunkLine();

    internal static byte[] TinyGpt2Zip() => BrokenUploadApiTests.ZipFolder(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"), edit: null);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
            await worker.DisposeAsync();
        await Web.DisposeAsync();
        Directory.Delete(_demoMap, recursive: true);
    }

    /// <summary>
    /// The tests' demo map cut to its <see cref="TextCount"/> shortest texts (in their order; each model's results
    /// likewise): scoring time grows with text length, and the box these tests run on is shared.
    /// </summary>
    private static string SmallDemoMap()
    {
        var folder = Directory.CreateTempSubdirectory("loglikemap-small-map-").FullName;
        var source = WebAppFactory.DemoMapFolder;
        var texts = File.ReadAllLines(Path.Combine(source, "texts.jsonl"));
        var kept = texts.Select((line, i) => (line, i)).OrderBy(t => t.line.Length).Take(TextCount).Select(t => t.i).Order().ToArray();
        var indices = kept.Select(i => JsonNode.Parse(texts[i])!["index"]!.GetValue<long>()).ToHashSet();
        File.WriteAllLines(Path.Combine(folder, "texts.jsonl"), kept.Select(i => texts[i]));
        File.Copy(Path.Combine(source, "models.jsonl"), Path.Combine(folder, "models.jsonl"));
        Directory.CreateDirectory(Path.Combine(folder, "results"));
        foreach (var results in Directory.GetFiles(Path.Combine(source, "results")))
        {
            File.WriteAllLines(Path.Combine(folder, "results", Path.GetFileName(results)),
                File.ReadLines(results).Where(line => indices.Contains(JsonNode.Parse(line)!["index"]!.GetValue<long>())));
        }
        return folder;
    }}
