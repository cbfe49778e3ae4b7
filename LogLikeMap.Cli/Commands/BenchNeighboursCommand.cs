using LogLikeMap.Lab.Synthetic;
using System.CommandLine;
using System.Diagnostics;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench neighbours</c>: builds the neighbour index the web app serves
/// <c>GET /api/models/{id}/neighbours?k=</c> from (<see cref="NeighbourIndex"/>: Q and its Gram matrix, what a
/// restart prepares in the background) on a synthetic matrix shaped like the paper's, and times its queries next
/// to a one-thread exact scan of Q (what the web app did before), with the memory that holds the index.
/// </summary>
public static class BenchNeighboursCommand
{
    /// <summary>The web API's default k.</summary>
    private const int DefaultK = 10;

    public static Command Create()
    {
        var models = new Option<int>("--models") { Description = "K, models on the map.", DefaultValueFactory = _ => 1018 };
        var texts = new Option<int>("--texts") { Description = "N, texts per model.", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic matrix and of the queried models.", DefaultValueFactory = _ => 1 };
        var queries = new Option<int>("--queries") { Description = "Timed neighbour queries.", DefaultValueFactory = _ => 200 };
        var k = new Option<int>("--k") { Description = "Neighbours per query.", DefaultValueFactory = _ => DefaultK };

        var command = new Command("neighbours", "Time the neighbour query the web API serves on a synthetic K x N map; report median, p95, max and the index's memory.")
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
        var matrix = SyntheticLogLikelihoods.Create(models, texts, seed).Matrix;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var q = CentredLogLikelihoods.FromMatrix(matrix, new MapOptions().ClipPercentile);
        var centred = clock.Elapsed;
        // Mean text length of the paper's 10k Pile texts; it only scales bits per byte.
        var index = NeighbourIndex.Build(q, ct);
        Console.WriteLine($"Loaded: clip + centre {centred.TotalSeconds:F2} s, Gram matrix {(clock.Elapsed - centred).TotalSeconds:F2} s, {clock.Elapsed.TotalSeconds:F2} s in all.");
        var heapIndex = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        var random = new Random(seed);
        var asked = Enumerable.Range(0, queries).Select(_ => random.Next(models)).ToArray();
        for (var w = 0; w < Math.Min(5, asked.Length); w++)
            index.Nearest(asked[w], k);

        var milliseconds = new double[asked.Length];
        for (var i = 0; i < asked.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            index.Nearest(asked[i], k);
            milliseconds[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        var scan = ScanMilliseconds(index, random, Math.Min(20, queries));
        var process = Process.GetCurrentProcess();
        Console.WriteLine($"Neighbour query (k = {k}), {asked.Length} queries: median {Quantile(milliseconds, 0.5):F3} ms, p95 {Quantile(milliseconds, 0.95):F3} ms, max {milliseconds.Max():F3} ms.");
        Console.WriteLine($"One-thread exact scan of Q (the former query), {scan.Length} queries: median {Quantile(scan, 0.5):F3} ms, p95 {Quantile(scan, 0.95):F3} ms.");
        Console.WriteLine($"Memory: Q and its Gram matrix {heapIndex / 1e6:F0} MB of GC heap; GC heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F0} MB (the raw matrix included); working set {process.WorkingSet64 / 1e6:F0} MB; peak {process.PeakWorkingSet64 / 1e6:F0} MB.");
        return 0;
    }

    private static double[] ScanMilliseconds(NeighbourIndex index, Random random, int count)
    {
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            var self = random.Next(index.ModelCount);
            var started = Stopwatch.GetTimestamp();
            var target = index.Q(self);
            var distances = new (double Squared, int Index)[index.ModelCount];
            for (var j = 0; j < distances.Length; j++)
                distances[j] = (j == self ? double.PositiveInfinity : SquaredDistances.Exact(target, index.Q(j)), j);
            Array.Sort(distances);
            result[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
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
