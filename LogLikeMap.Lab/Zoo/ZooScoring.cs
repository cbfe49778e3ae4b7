using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Lab.Zoo;

/// <summary>A line of the scoring log.</summary>
public sealed record ZooScoringEvent(string Message);

/// <summary>
/// Scores every map model of the zoo with the project's scoring engine, exactly as an upload is scored (the
/// checkpoint folder's own tokenizer files, <see cref="LogLikelihoodScorer"/>), into a map folder:
/// <c>results/NAME.jsonl</c> (the paper's results format) and <c>models.jsonl</c> (one model card a line).
/// Resumable: the scorer continues a results file an earlier run left.
/// </summary>
public static class ZooScoring
{
    public const string Source = "LogLikeMap zoo: trained on CPU by 'loglikemap zoo train' (ZooRecipe)";

    public static async Task ScoreAsync(
        IReadOnlyList<ZooModelSpec> recipe,
        string zooFolder,
        TextSet texts,
        string mapFolder,
        ScoringOptions options,
        IProgress<ZooScoringEvent> log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(log);
        var resultsFolder = Path.Combine(mapFolder, "results");
        Directory.CreateDirectory(resultsFolder);
        var cards = new List<string>();

        foreach (var spec in recipe.Where(s => s.InMap))
        {
            foreach (var (name, step) in spec.SavedModels)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var checkpoint = Path.Combine(zooFolder, name);
                if (!Directory.Exists(checkpoint))
                    throw new DirectoryNotFoundException($"Zoo model '{name}' is not trained yet ({checkpoint}). Run: loglikemap zoo train");

                var started = DateTime.UtcNow;
                using (var scorer = LogLikelihoodScorer.Load(checkpoint, options))
                {
                    var tokenized = texts.Texts.Select(t => scorer.Tokenize(t.Index, t.Text)).ToList();
                    await scorer.ScoreToFileAsync(tokenized, Path.Combine(resultsFolder, name + ".jsonl"), null, cancellationToken);
                }
                var parameters = ParameterCount(checkpoint);
                log.Report(new ZooScoringEvent($"{name}: {texts.Count} texts scored in {(DateTime.UtcNow - started).TotalSeconds:F0} s"));
                cards.Add(Card(spec, name, step, parameters, Directory.GetLastWriteTimeUtc(checkpoint)).ToJsonString());
            }
        }
        await File.WriteAllLinesAsync(Path.Combine(mapFolder, "models.jsonl"), cards, cancellationToken);
    }

    /// <summary>The model card of models.jsonl: the catalog's fields plus what tells zoo models apart.</summary>
    internal static JsonObject Card(ZooModelSpec spec, string name, int step, long parameters, DateTime created) => new()
    {
        ["name"] = name,
        ["family"] = spec.Family,
        ["architecture"] = spec.ModelType,
        ["parameters"] = parameters,
        ["source"] = Source,
        ["created"] = created.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["tokenizer"] = spec.Tokenizer,
        ["data_mixture"] = new JsonArray([.. spec.Mixture.Select(slug => JsonValue.Create(slug))]),
        ["seed"] = spec.Seed,
        ["step"] = step,
        ["parent"] = spec.Parent,
        ["width"] = spec.Width,
        ["layers"] = spec.Layers,
    };

    /// <summary>Parameters stored in the checkpoint (a tied head counts once, as transformers counts it).</summary>
    private static long ParameterCount(string checkpoint)
    {
        using var weights = CheckpointWeights.Open(checkpoint);
        return weights.TensorNames.Sum(name => weights.Info(name).ElementCount);
    }

    /// <summary>Copies the sample checkpoints (kept out of the map) to <paramref name="samplesFolder"/>.</summary>
    public static IReadOnlyList<string> CopySamples(IReadOnlyList<ZooModelSpec> recipe, string zooFolder, string samplesFolder)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var copied = new List<string>();
        foreach (var spec in recipe.Where(s => !s.InMap))
        {
            var source = Path.Combine(zooFolder, spec.Name);
            var target = Path.Combine(samplesFolder, spec.Name);
            if (!Directory.Exists(source))
                throw new DirectoryNotFoundException($"Sample '{spec.Name}' is not trained yet ({source}). Run: loglikemap zoo train");
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(source))
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            copied.Add(target);
        }
        return copied;
    }
}
