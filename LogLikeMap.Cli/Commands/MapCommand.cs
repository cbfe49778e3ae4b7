using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap map --loglik FILE --out DIR</c>: builds the paper's map from a log-likelihood matrix and writes
/// layout.csv (<c>model,x,y</c>), neighbours.csv (<c>model,rank,neighbour,kl_nats</c>, rank 1 = nearest, in the
/// full space) and summary.json (K, N, clip threshold, timings per stage).
/// </summary>
public static class MapCommand
{
    public static Command Create()
    {
        var loglik = new Option<string>("--loglik")
        {
            Description = "The log-likelihood matrix: a paper pickle (.pkl), a folder of per-model results .jsonl, a .csv or a .json export.",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Folder to write layout.csv, neighbours.csv and summary.json into.", Required = true };
        var clip = new Option<double>("--clip-percentile") { Description = "Raise log-likelihoods below this global percentile to it.", DefaultValueFactory = _ => 2 };
        var perplexity = new Option<double>("--perplexity") { Description = "t-SNE perplexity.", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random t-SNE start (--init random); PCA initialisation uses none.", DefaultValueFactory = _ => 42 };
        var neighbours = new Option<int>("--neighbours") { Description = "Nearest neighbours listed per model (full space).", DefaultValueFactory = _ => 10 };
        var iterations = new Option<int>("--iterations") { Description = "t-SNE iterations, early exaggeration included.", DefaultValueFactory = _ => 1000 };
        var init = new Option<TsneInitialisation>("--init") { Description = "t-SNE start: Pca (sklearn's init='pca') or Random.", DefaultValueFactory = _ => TsneInitialisation.Pca };

        var command = new Command("map", "Build the model map (clip, centre, full-space neighbours, t-SNE) from a log-likelihood matrix.")
        {
            loglik, output, clip, perplexity, seed, neighbours, iterations, init,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new MapOptions
            {
                ClipPercentile = parse.GetValue(clip),
                NeighbourCount = parse.GetValue(neighbours),
                Tsne = new TsneOptions
                {
                    Perplexity = parse.GetValue(perplexity),
                    Seed = parse.GetValue(seed),
                    Iterations = parse.GetValue(iterations),
                    Initialisation = parse.GetValue(init),
                },
            };
            return RunAsync(parse.GetValue(loglik)!, parse.GetValue(output)!, options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(string matrixPath, string outputFolder, MapOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        LogLikelihoodMatrix matrix;
        try
        {
            matrix = MatrixFiles.Read(matrixPath, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException)
        {
            Console.Error.WriteLine($"Cannot read the matrix: {ex.Message}");
            return 2;
        }

        var readTime = clock.Elapsed;
        Console.Error.WriteLine($"Read {matrix.ModelCount} models x {matrix.TextCount} texts from '{matrixPath}' in {readTime.TotalSeconds:F2} s.");
        ModelMap map;
        try
        {
            map = ModelMapBuilder.Build(matrix, options, new ConsoleProgress(), cancellationToken);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"Cannot map '{matrixPath}': {ex.Message}");
            return 2;
        }

        Directory.CreateDirectory(outputFolder);
        await WriteCsvAsync(Path.Combine(outputFolder, "layout.csv"), writer => Exports.WriteLayoutCsvAsync(writer,
            map.Layout.Select((p, i) => new LayoutPoint(map.ModelNames[i], p.X, p.Y, Provisional: false)), cancellationToken));
        await WriteCsvAsync(Path.Combine(outputFolder, "neighbours.csv"), writer => Exports.WriteNeighboursCsvAsync(writer,
            map.ModelNames.Select((name, i) => new ModelNeighbours(name, map.Neighbours[i])),
            cancellationToken));
        WriteSummary(Path.Combine(outputFolder, "summary.json"), map, matrixPath, readTime);
        Console.Error.WriteLine($"Wrote layout.csv, neighbours.csv and summary.json to '{outputFolder}' ({clock.Elapsed.TotalSeconds:F2} s in all).");
        return 0;
    }

    /// <summary>The same CSV writers as <c>loglikemap export</c> and the web app's downloads (<see cref="Exports"/>).</summary>
    private static async Task WriteCsvAsync(string path, Func<TextWriter, Task> write)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        await write(writer);
    }

    private static void WriteSummary(string path, ModelMap map, string matrixPath, TimeSpan readTime)
    {
        var seconds = new Dictionary<string, double> { ["read"] = readTime.TotalSeconds };
        foreach (var (stage, time) in map.Timings)
            seconds[JsonNamingPolicy.SnakeCaseLower.ConvertName(stage.ToString())] = time.TotalSeconds;
        seconds["map_total"] = map.Timings.Values.Sum(t => t.TotalSeconds);
        var summary = new
        {
            matrix = Path.GetFullPath(matrixPath),
            models = map.ModelCount,
            texts = map.TextCount,
            clip_percentile = map.Options.ClipPercentile,
            clip_threshold = map.ClipThreshold,
            perplexity = map.Options.Tsne.Perplexity,
            iterations = map.Options.Tsne.Iterations,
            initialisation = map.Options.Tsne.Initialisation.ToString(),
            seed = map.Options.Tsne.Seed,
            neighbours = map.Options.NeighbourCount,
            explained_variance_ratio = map.PrincipalComponents.ExplainedVarianceRatio,
            seconds,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Stage names and t-SNE iterations on standard error, so standard output stays clean.</summary>
    private sealed class ConsoleProgress : IProgress<MapProgress>
    {
        public void Report(MapProgress value) =>
            Console.Error.WriteLine(value.KlDivergence is { } kl
                ? $"  t-SNE iteration {value.Iteration}/{value.Iterations}: KL divergence {kl:F4}"
                : $"  {value.Stage}...");
    }
}
