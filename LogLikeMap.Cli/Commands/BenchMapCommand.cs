using LogLikeMap.Lab.Synthetic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench map</c>: times the map engine on a synthetic matrix shaped like the paper's and, on the
/// same matrix, the numpy + scikit-learn reference (bench/map_reference.py), printing both side by side with
/// the 10-NN overlap of each layout with the full-space neighbours.
/// </summary>
public static class BenchMapCommand
{
    private const int OverlapNeighbours = 10;

    public static Command Create()
    {
        var models = new Option<int>("--models") { Description = "K, models on the map (one more is generated to place).", DefaultValueFactory = _ => 1018 };
        var texts = new Option<int>("--texts") { Description = "N, texts per model.", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic matrix.", DefaultValueFactory = _ => 1 };
        var python = new Option<string>("--python") { Description = "Interpreter with numpy and scikit-learn (Debian's).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var script = new Option<string?>("--reference-script") { Description = "bench/map_reference.py; found above the current folder when omitted." };
        var skipReference = new Option<bool>("--no-reference") { Description = "Time LogLikeMap only." };

        var command = new Command("map", "Time clip+centre, all neighbour lists, t-SNE, placing a model and one neighbour query, next to numpy + scikit-learn.")
        {
            models, texts, seed, python, script, skipReference,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(models), parse.GetValue(texts), parse.GetValue(seed),
            parse.GetValue(skipReference) ? null : parse.GetValue(python), parse.GetValue(script), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int models, int texts, int seed, string? python, string? script, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Synthetic matrix: {models} models (+1 to place) x {texts} texts, seed {seed}; {Environment.ProcessorCount} cores.");
        var synthetic = SyntheticLogLikelihoods.Create(models + 1, texts, seed);
        var all = synthetic.Matrix;
        var matrix = new LogLikelihoodMatrix(all.ModelNames.Take(models).ToArray(), texts, all.Values[..(models * texts)].ToArray());
        var newModel = all.Row(models).ToArray();

        var cpu = new CpuTimePerStage();
        var map = ModelMapBuilder.Build(matrix, new MapOptions(), cpu, cancellationToken);
        cpu.Finish();
        var ours = Measure(map, newModel, synthetic.Family);

        Reference? reference = null;
        if (python is not null)
        {
            script ??= FindScript();
            if (script is null)
                Console.WriteLine("bench/map_reference.py not found above the current folder; pass --reference-script. Skipping the reference.");
            else
                reference = await RunReferenceAsync(python, script, matrix, map, cancellationToken);
        }

        Print(map, cpu, ours, reference);
        return 0;
    }

    private sealed record Measurements(double PlaceSeconds, double QueryMilliseconds, double Overlap, double PlacedFamilyShare);

    private sealed record Reference(JsonElement Seconds, JsonElement Cpu, double Overlap, double IdenticalLists, double MaxRelativeKlDifference);

    /// <summary>Placing and neighbour queries through the live map, the code path the web app runs.</summary>
    private static Measurements Measure(ModelMap map, double[] newModel, IReadOnlyList<int> family)
    {
        var live = LiveMap.FromLayout(map, []);
        var clock = Stopwatch.StartNew();
        var placed = live.Place("new model", newModel, null, CancellationToken.None);
        var placeSeconds = clock.Elapsed.TotalSeconds;

        // Where the placed point landed: the share of its 10 nearest map points from its own family.
        var newFamily = family[map.ModelCount];
        var position = placed.Models[^1].Position;
        var nearestOnMap = Enumerable.Range(0, live.Models.Count)
            .OrderBy(j => Math.Pow(live.Models[j].Position.X - position.X, 2) + Math.Pow(live.Models[j].Position.Y - position.Y, 2))
            .Take(OverlapNeighbours);
        var familyShare = nearestOnMap.Count(j => family[j] == newFamily) / (double)OverlapNeighbours;

        const int queries = 200;
        var random = new Random(0);
        var picks = Enumerable.Range(0, queries).Select(_ => random.Next(map.ModelCount)).ToArray();
        placed.TryGetNearest(picks[0], OverlapNeighbours, out _);
        clock.Restart();
        foreach (var model in picks)
            placed.TryGetNearest(model, OverlapNeighbours, out _);
        var queryMilliseconds = clock.Elapsed.TotalMilliseconds / queries;

        var overlap = LayoutQuality.NeighbourOverlap(map.Layout, FullSpaceNeighbours(map), OverlapNeighbours);
        return new Measurements(placeSeconds, queryMilliseconds, overlap, familyShare);
    }

    private static IReadOnlyList<int>[] FullSpaceNeighbours(ModelMap map) =>
        map.Neighbours.Select(list => (IReadOnlyList<int>)list.Select(n => n.Model).ToArray()).ToArray();

    private static async Task<Reference?> RunReferenceAsync(string python, string script, LogLikelihoodMatrix matrix, ModelMap map, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("loglikemap-bench-map-").FullName;
        try
        {
            var npy = Path.Combine(folder, "matrix.npy");
            WriteNpy(npy, matrix);
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { script, "bench", npy, folder })
                start.ArgumentList.Add(argument);
            Console.WriteLine($"Running {python} {script} bench ... (numpy + scikit-learn on the same matrix)");
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"The reference failed (exit {process.ExitCode}): {(await stderr).Trim()}");
                return null;
            }

            using var result = JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]);
            var layout = File.ReadAllLines(Path.Combine(folder, "layout.csv"))
                .Select(line => line.Split(','))
                .Select(v => new MapPoint(double.Parse(v[0], CultureInfo.InvariantCulture), double.Parse(v[1], CultureInfo.InvariantCulture)))
                .ToArray();
            var overlap = LayoutQuality.NeighbourOverlap(layout, FullSpaceNeighbours(map), OverlapNeighbours);

            // Their neighbour lists against ours: same models in the same order, and the largest relative KL gap.
            var theirs = File.ReadAllLines(Path.Combine(folder, "neighbours.csv")).Skip(1)
                .Select(line => line.Split(','))
                .Select(v => (Model: int.Parse(v[0], CultureInfo.InvariantCulture), Rank: int.Parse(v[1], CultureInfo.InvariantCulture),
                    Neighbour: int.Parse(v[2], CultureInfo.InvariantCulture), Kl: double.Parse(v[3], CultureInfo.InvariantCulture)))
                .GroupBy(x => x.Model)
                .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Rank).ToArray());
            var identical = 0;
            var maxRelative = 0.0;
            for (var i = 0; i < map.ModelCount; i++)
            {
                var ours = map.Neighbours[i];
                identical += ours.Select(n => n.Model).SequenceEqual(theirs[i].Select(x => x.Neighbour)) ? 1 : 0;
                for (var r = 0; r < ours.Count; r++)
                    maxRelative = Math.Max(maxRelative, Math.Abs(map.Kl(i, theirs[i][r].Neighbour) - theirs[i][r].Kl) / theirs[i][r].Kl);
            }

            return new Reference(result.RootElement.GetProperty("seconds").Clone(), result.RootElement.GetProperty("cpu_seconds").Clone(), overlap, identical / (double)map.ModelCount, maxRelative);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Print(ModelMap map, CpuTimePerStage cpu, Measurements ours, Reference? reference)
    {
        string Theirs(string key) => reference is { } r && r.Seconds.TryGetProperty(key, out var v) ? $"{v.GetDouble(),10:F3} s" : $"{"-",12}";
        double Stage(params MapStage[] stages) => stages.Sum(s => map.Timings[s].TotalSeconds);

        var neighbours = Stage(MapStage.Distances, MapStage.Neighbours);
        var tsne = Stage(MapStage.PrincipalComponents, MapStage.Affinities, MapStage.Layout);
        var total = map.Timings.Values.Sum(t => t.TotalSeconds);
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"",-36}{"LogLikeMap",12}  {"numpy+sklearn",12}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"clip + centre",-36}{map.Timings[MapStage.ClipAndCentre].TotalSeconds,10:F3} s  {Theirs("clip_and_centre")}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"all 10-NN lists (full space, exact)",-36}{neighbours,10:F3} s  {Theirs("neighbours")}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"t-SNE (PCA + affinities + 1000 it.)",-36}{tsne,10:F3} s  {Theirs("tsne")}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"whole map",-36}{total,10:F3} s  {Theirs("map_total")}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"place one new model",-36}{ours.PlaceSeconds,10:F3} s  {"-",12}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"one neighbour query (k = 10)",-36}{ours.QueryMilliseconds,9:F3} ms  {"-",12}");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"10-NN overlap, layout vs full space",-36}{ours.Overlap,12:F3}  {(reference is null ? "-" : reference.Overlap.ToString("F3", CultureInfo.InvariantCulture)),12}");
        table.AppendLine(CultureInfo.InvariantCulture, $"Stages, wall: {string.Join(", ", map.Timings.Select(t => $"{t.Key} {t.Value.TotalSeconds:F3} s"))}");
        table.AppendLine(CultureInfo.InvariantCulture, $"Stages, CPU (all threads): {string.Join(", ", cpu.Seconds.Select(t => $"{t.Key} {t.Value:F3} s"))}");
        if (reference is not null && reference.Cpu.ValueKind == JsonValueKind.Object)
            table.AppendLine(CultureInfo.InvariantCulture, $"numpy+sklearn CPU (all threads): {string.Join(", ", reference.Cpu.EnumerateObject().Select(p => $"{p.Name} {p.Value.GetDouble():F3} s"))}");
        table.AppendLine(CultureInfo.InvariantCulture, $"Placed model: {ours.PlacedFamilyShare:P0} of its 10 nearest map points are its family.");
        if (reference is not null)
            table.AppendLine(CultureInfo.InvariantCulture,
                $"Neighbour lists identical to numpy's: {reference.IdenticalLists:P1}; largest relative KL difference {reference.MaxRelativeKlDifference:E2}.");
        Console.Write(table);
    }

    /// <summary>numpy's .npy format 1.0: magic, header dict padded to 64 bytes, then little-endian float64 rows.</summary>
    private static void WriteNpy(string path, LogLikelihoodMatrix matrix)
    {
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({matrix.ModelCount}, {matrix.TextCount}), }}";
        var padded = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)padded.Length));
        stream.Write(Encoding.ASCII.GetBytes(padded));
        stream.Write(MemoryMarshal.AsBytes(matrix.Values));
    }

    private static string? FindScript()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "bench", "map_reference.py");
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }

    /// <summary>
    /// Process CPU time per build stage, stamped when each stage's progress report arrives (reports are
    /// synchronous). On a shared machine wall time says little; CPU seconds show the work itself.
    /// </summary>
    private sealed class CpuTimePerStage : IProgress<MapProgress>
    {
        private readonly Dictionary<MapStage, double> _seconds = [];
        private MapStage? _current;
        private TimeSpan _since;

        public IReadOnlyDictionary<MapStage, double> Seconds => _seconds;

        public void Report(MapProgress value)
        {
            if (value.Stage == _current)
                return;
            Finish();
            _current = value.Stage;
            _since = Process.GetCurrentProcess().TotalProcessorTime;
        }

        public void Finish()
        {
            if (_current is { } stage)
                _seconds[stage] = (Process.GetCurrentProcess().TotalProcessorTime - _since).TotalSeconds;
            _current = null;
        }
    }
}
