using LogLikeMap.Lab.Synthetic;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;
using LogLikeMap.Store;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench web-store --db FILE</c>: writes a store shaped like the paper's map for timing the web app's
/// restart (<c>tools/bench-web-startup.sh</c>): N synthetic texts of the paper's mean length with Pile domains, K
/// models with synthetic log-likelihoods (<see cref="SyntheticLogLikelihoods"/>) and a stored layout, so the app
/// redraws it as after any restart. The layout's points are each family on its own circle: they do not enter
/// any timing, and t-SNE would add minutes for nothing.
/// </summary>
public static class BenchWebStoreCommand
{
    /// <summary>The paper's 10k Pile texts average 972.3 UTF-8 bytes.</summary>
    private const int TextBytes = 972;

    // Pile subsets (pile_set_name) the texts are spread over, so "strongest domain" has something to find.
    private static readonly string[] Domains = ["Pile-CC", "PubMed Central", "ArXiv", "Github", "FreeLaw", "StackExchange", "Wikipedia (en)", "USPTO Backgrounds"];

    private static readonly string[] Words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod", "tempor"];

    public static Command Create()
    {
        var database = new Option<string>("--db") { Description = "The SQLite file to write (must not exist yet).", Required = true };
        var models = new Option<int>("--models") { Description = "K, models on the map.", DefaultValueFactory = _ => 1018 };
        var texts = new Option<int>("--texts") { Description = "N, texts per model.", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic matrix.", DefaultValueFactory = _ => 1 };

        var command = new Command("web-store", "Write a store with a synthetic K x N map and a stored layout, to time the web app's restart over it.")
        {
            database, models, texts, seed,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(database)!, parse.GetValue(models), parse.GetValue(texts), parse.GetValue(seed), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string database, int models, int texts, int seed, CancellationToken ct)
    {
        if (File.Exists(database))
        {
            Console.Error.WriteLine($"'{database}' exists already; give a new file.");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        var synthetic = SyntheticLogLikelihoods.Create(models, texts, seed);
        var matrix = synthetic.Matrix;
        var textSet = new TextSet(Enumerable.Range(0, texts).Select(i => new TextRecord(i, TextOf(i), Domains[i % Domains.Length])));
        var metadata = matrix.ModelNames.Select((name, i) => new ModelMetadata(name)
        {
            Family = $"family{synthetic.Family[i]:00}",
            Architecture = "llama",
            ParameterCount = 7_000_000_000,
        }).ToList();

        var store = new StoreContextFactory(StoreOptions.ForSqliteFile(database));
        await store.MigrateAsync(ct);
        var import = new MatrixImport(new LoadedMatrix(matrix, [.. Enumerable.Range(0, texts).Select(i => (long)i)], new Dictionary<string, int[]>()), textSet, metadata)
        {
            TextSetName = "synthetic",
            Dtype = "float64",
            ScorerVersion = "loglikemap bench web-store",
        };
        var summary = await new MatrixImporter(store).ImportAsync(import, null, ct);

        // Stored as the web app stores a layout: its parameters, and the threshold and column means it redraws with.
        var options = new MapOptions();
        var q = CentredLogLikelihoods.FromMatrix(matrix, options.ClipPercentile);
        var points = matrix.ModelNames.Select((name, i) => PointOf(name, i, synthetic.Family[i])).ToList();
        await new LayoutCatalog(store).SaveAsync(summary.TextSet.Id, LayoutParameters.Of(options) with { Iterations = 0, Seed = seed },
            q.ClipThreshold, q.ColumnMeans.ToArray(), points, ct);

        Console.WriteLine($"Wrote {models} models x {texts} texts and a layout to '{database}' ({new FileInfo(database).Length / 1e6:F0} MB) in {clock.Elapsed.TotalSeconds:F1} s.");
        Console.WriteLine($"Query for example {matrix.ModelNames[0]}.");
        return 0;
    }

    /// <summary>Family f on a circle of radius 1 + f / 4 around the origin, its models spread along it.</summary>
    private static LayoutPoint PointOf(string name, int model, int family)
    {
        var angle = model * 2.399963; // the golden angle spreads points evenly whatever their number
        var radius = 1 + family / 4.0;
        return new LayoutPoint(name, radius * Math.Cos(angle), radius * Math.Sin(angle), Provisional: false);
    }

    /// <summary>A text of <see cref="TextBytes"/> ASCII characters, different for every index.</summary>
    private static string TextOf(int index)
    {
        var random = new Random(index);
        var text = new StringBuilder(TextBytes + 16).Append("Synthetic text ").Append(index).Append('.');
        while (text.Length < TextBytes)
            text.Append(' ').Append(Words[random.Next(Words.Length)]);
        return text.ToString(0, TextBytes);
    }
}
