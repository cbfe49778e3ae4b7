using System.CommandLine;
using System.Diagnostics;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench neighbours</c>: loads a synthetic matrix shaped like the paper's into the web app's map
/// service (the path a restart takes: Q and its Gram matrix from a stored layout, no t-SNE) and times the
/// neighbour endpoint's handler (<c>GET /api/models/{id}/neighbours?k=</c>) on it, next to a one-thread exact
/// scan of Q (what the service did before), with the memory that holds the map.
/// </summary>
public static class BenchNeighboursCommand
{
    public static Command Create()
    {
        var models = new Option<int>("--models") { Description = "K, models on the map.", DefaultValueFactory = _ => 1018 };
        var texts = new Option<int>("--texts") { Description = "N, texts per model.", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic matrix and of the queried models.", DefaultValueFactory = _ => 1 };
        var queries = new Option<int>("--queries") { Description = "Timed neighbour queries.", DefaultValueFactory = _ => 200 };
        var k = new Option<int>("--k") { Description = "Neighbours per query.", DefaultValueFactory = _ => ModelsApi.DefaultNeighbourCount };

        var command = new Command("neighbours", "Time the web API's neighbour query on a synthetic K x N map; report median, p95 and the map's memory.")
        {
            models, texts, seed, queries, k,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetValue(models), parse.GetValue(texts), parse.GetValue(seed), parse.GetValue(queries), parse.GetValue(k), cancellationToken)));
        return command;
    }

    private static int Run(int models, int texts, int seed, int queries, int k, CancellationToken ct)
    {
        Console.WriteLine($"Synthetic map: {models} models x {texts} texts, seed {seed}; {Environment.ProcessorCount} cores; load average {LoadAverage()}.");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var service = Load(models, texts, seed, ct);
        Console.WriteLine($"Loaded into the map service (clip, centre, Gram matrix) in {clock.Elapsed.TotalSeconds:F2} s.");
        var heapMap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        var names = service.Current.Models.Select(m => m.Name).ToArray();
        var random = new Random(seed);
        var asked = Enumerable.Range(0, queries).Select(_ => Uri.EscapeDataString(names[random.Next(names.Length)])).ToArray();
        for (var w = 0; w < Math.Min(5, asked.Length); w++)
            ModelsApi.GetNeighbours(asked[w], service, k);

        var milliseconds = new double[asked.Length];
        for (var q = 0; q < asked.Length; q++)
        {
            var started = Stopwatch.GetTimestamp();
            ModelsApi.GetNeighbours(asked[q], service, k);
            milliseconds[q] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        var scan = ScanMilliseconds(service, names, random, Math.Min(20, queries));
        var process = Process.GetCurrentProcess();
        Console.WriteLine($"GET /api/models/{{id}}/neighbours?k={k} handler, {asked.Length} queries: median {Quantile(milliseconds, 0.5):F3} ms, p95 {Quantile(milliseconds, 0.95):F3} ms, max {milliseconds.Max():F3} ms.");
        Console.WriteLine($"One-thread exact scan of Q (the former query), {scan.Length} queries: median {Quantile(scan, 0.5):F3} ms, p95 {Quantile(scan, 0.95):F3} ms.");
        Console.WriteLine($"Memory: map held by the service {heapMap / 1e6:F0} MB of GC heap; GC heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F0} MB; working set {process.WorkingSet64 / 1e6:F0} MB; peak {process.PeakWorkingSet64 / 1e6:F0} MB.");
        return 0;
    }

    /// <summary>
    /// The map as the web app holds it after a restart: every model laid out (the points do not enter neighbour
    /// queries, so they are all at the origin and no t-SNE runs), published to a <see cref="ModelMapService"/>.
    /// </summary>
    private static ModelMapService Load(int models, int texts, int seed, CancellationToken ct)
    {
        var matrix = SyntheticLogLikelihoods.Create(models, texts, seed).Matrix;
        var columns = new MapText(1, "synthetic", [.. Enumerable.Range(0, texts).Select(i => (long)i)], new string?[texts], MeanBytes: 4000);
        var cards = matrix.ModelNames.Select(name => new ModelCard(name, "synthetic", null, null, null)).ToArray();
        var state = MapStateBuilder.FromStoredLayout(columns, cards, matrix, new MapOptions().ClipPercentile,
            [.. Enumerable.Repeat(new MapPoint(0, 0), models)], version: 1, ct);
        var service = new ModelMapService();
        service.Publish(state);
        return service;
    }

    private static double[] ScanMilliseconds(ModelMapService service, string[] names, Random random, int count)
    {
        var state = service.State;
        var result = new double[count];
        for (var q = 0; q < count; q++)
        {
            var self = random.Next(names.Length);
            var started = Stopwatch.GetTimestamp();
            var target = state.Q(self);
            var distances = new (double Squared, int Index)[names.Length];
            for (var j = 0; j < names.Length; j++)
                distances[j] = (j == self ? double.PositiveInfinity : SquaredDistances.Exact(target, state.Q(j)), j);
            Array.Sort(distances);
            result[q] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        return result;
    }

    private static double Quantile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
