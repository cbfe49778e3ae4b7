using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Formats.Pickles;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Options;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Analysis;

/// <summary>The benchmark scores the map predicts from (docs/method.md §3.1) and where they were read.</summary>
/// <param name="Source">Where they come from, in words (a file, or the store's model metadata).</param>
public sealed record LoadedScores(ScoreTable Table, string Source);

/// <summary>
/// Benchmark scores per model for the map's analyses. The first of these that exists is used:
/// <list type="number">
/// <item>scores imported through the API (<c>POST /api/analysis/scores</c>), kept as <c>scores.csv</c> in the data folder;</item>
/// <item>the file <c>Analysis:ScoresFile</c>;</item>
/// <item><c>scores.csv</c> of the demo map folder (the zoo's own benchmark);</item>
/// <item>the <c>score_v1_*</c> fields of the stored models' metadata (the paper's <c>model-data-1018.pkl</c> imported with
/// <c>loglikemap import --metadata</c>).</item>
/// </list>
/// A CSV's <c>family</c> column, when it has one, groups the cross-validation; otherwise the map's families do.
/// </summary>
public sealed class BenchmarkScores(DataPaths paths, IOptions<AnalysisOptions> options, ModelCatalog catalog, IHostEnvironment environment)
{
    public const string FileName = "scores.csv";

    /// <summary>The column that groups models for GroupKFold when a scores CSV has it.</summary>
    public const string GroupColumn = "family";

    private const string PaperScorePrefix = "score_v1_";

    private int _version;

    /// <summary>Counts imports, so analyses cached for older scores are recomputed.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Where imported scores are kept.</summary>
    public string ImportedFile => Path.Combine(paths.DataFolder, FileName);

    public async Task<LoadedScores?> LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var file in Files())
        {
            if (File.Exists(file))
                return new LoadedScores(ReadCsv(file), file);
        }
        var fromMetadata = FromMetadata(await catalog.ListModelsAsync(cancellationToken));
        return fromMetadata is null ? null : new LoadedScores(fromMetadata, "the stored models' score_v1_* metadata (model-data-1018.pkl)");
    }

    private IEnumerable<string> Files()
    {
        yield return ImportedFile;
        if (options.Value.ScoresFile is { Length: > 0 } configured)
            yield return Path.GetFullPath(configured, environment.ContentRootPath);
        yield return Path.Combine(paths.DemoMapFolder, FileName);
    }

    /// <summary>A scores CSV, grouped by its <c>family</c> column when it has one.</summary>
    public static ScoreTable ReadCsv(string path)
    {
        string? header;
        using (var reader = new StreamReader(path, Encoding.UTF8))
            header = reader.ReadLine();
        var grouped = header is not null && header.Split(',').Skip(1).Any(c => c.Trim().Trim('"') == GroupColumn);
        return ScoreTable.ReadCsv(path, grouped ? GroupColumn : null);
    }

    /// <summary>
    /// Checks an uploaded scores file (a CSV <c>model,[family,]&lt;target&gt;,...</c> or the release's
    /// <c>model-data-1018.pkl</c>, read by the restricted unpickler) and makes it the map's scores.
    /// Throws <see cref="InvalidDataException"/> saying what is wrong.
    /// </summary>
    /// <returns>The imported table.</returns>
    public async Task<ScoreTable> ImportAsync(Stream upload, string fileName, IReadOnlyCollection<string> modelsOnMap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(modelsOnMap);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is not (".csv" or ".pkl" or ".pickle"))
            throw new InvalidDataException($"'{fileName}' is neither a scores CSV (.csv) nor model-data-1018.pkl (.pkl); send one of those.");
        var staged = Path.Combine(paths.DataFolder, $"scores-upload-{Guid.NewGuid():N}{extension}");
        try
        {
            await using (var file = File.Create(staged))
                await upload.CopyToAsync(file, cancellationToken);
            ScoreTable table;
            try
            {
                table = extension == ".csv" ? ReadCsv(staged) : FromPaperData(staged);
            }
            catch (InvalidDataException e)
            {
                // The readers name the file they read: name the upload, not the server's staging path.
                throw new InvalidDataException(e.Message.Replace(staged, fileName, StringComparison.Ordinal), e);
            }
            var known = table.Scores.Keys.Count(modelsOnMap.Contains);
            if (known == 0)
                throw new InvalidDataException(
                    $"None of the {table.Scores.Count} models in '{fileName}' is on the map; the first column must hold the models' names as the map shows them.");
            var written = staged + ".csv";
            await File.WriteAllTextAsync(written, ToCsv(table), Encoding.UTF8, cancellationToken);
            File.Move(written, ImportedFile, overwrite: true);
            Interlocked.Increment(ref _version);
            return table;
        }
        finally
        {
            File.Delete(staged);
        }
    }

    private static ScoreTable FromPaperData(string path) =>
        RestrictedUnpickler.Load(path) is List<object?> list
            ? ScoreTable.FromPaperRecords(ModelDataFile.Interpret(list, path), "model_type")
            : throw new InvalidDataException("The pickle is not model-data-1018.pkl (a list of one dict per model).");

    /// <summary>The paper's six tasks from the models' metadata, where any model has one.</summary>
    internal static ScoreTable? FromMetadata(IReadOnlyList<StoredModel> models)
    {
        var targets = ScoreTable.PaperTasks.Where(t => models.Any(m => Number(m.Metadata, PaperScorePrefix + t) is not null)).ToList();
        if (targets.Count == 0)
            return null;
        var scores = models
            .Where(m => targets.Any(t => Number(m.Metadata, PaperScorePrefix + t) is not null))
            .ToDictionary(m => m.Name, m => targets.Select(t => Number(m.Metadata, PaperScorePrefix + t)).ToArray(), StringComparer.Ordinal);
        var groups = models.Where(m => scores.ContainsKey(m.Name) && m.Family is not null)
            .ToDictionary(m => m.Name, m => m.Family!, StringComparer.Ordinal);
        return new ScoreTable(targets, scores, groups);
    }

    private static double? Number(JsonObject? metadata, string key) =>
        metadata?[key] is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number : null;

    /// <summary>The table as the CSV <see cref="ScoreTable.ReadCsv"/> reads (family column when grouped, round-trip numbers).</summary>
    internal static string ToCsv(ScoreTable table)
    {
        var csv = new StringBuilder("model");
        if (table.Groups is not null)
            csv.Append(',').Append(GroupColumn);
        foreach (var target in table.Targets)
            csv.Append(',').Append(Quote(target));
        csv.Append('\n');
        foreach (var (model, values) in table.Scores.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            csv.Append(Quote(model));
            if (table.Groups is not null)
                csv.Append(',').Append(Quote(table.Groups.GetValueOrDefault(model) ?? string.Empty));
            foreach (var value in values)
                csv.Append(',').Append(value?.ToString("R", CultureInfo.InvariantCulture));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    internal static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
