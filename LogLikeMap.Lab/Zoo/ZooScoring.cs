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

    /// <summary>
    /// The model card of models.jsonl: the catalog's fields plus what tells zoo models apart. The family is the lineage
    /// (<c>base</c>); <c>change</c> says what was done to the base, <c>data</c> on what, and <c>step</c> the optimiser steps
    /// of the model's own run (none for a merged, rounded or quantised model). The base run's models carry <c>run</c>,
    /// so their checkpoints form a trajectory.
    /// </summary>
    internal static JsonObject Card(ZooModelSpec spec, string name, int step, long parameters, DateTime created)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var isCheckpoint = name != spec.Name;
        var card = new JsonObject
        {
            ["name"] = name,
            ["family"] = spec.Family,
            ["architecture"] = spec.ModelType,
            ["parameters"] = parameters,
            ["source"] = Source,
            ["created"] = created.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["base"] = spec.Family,
            ["change"] = isCheckpoint ? ZooChange.Checkpoint : spec.Change,
            ["data"] = spec.Derivation is null ? spec.DataDescription : spec.Data,
            ["step"] = spec.Derivation is null ? step : null,
            ["tokenizer"] = spec.Tokenizer,
            ["seed"] = spec.Seed,
            ["parent"] = spec.Parent,
            ["width"] = spec.Width,
            ["layers"] = spec.Layers,
        };
        if (spec.Change == ZooChange.Base)
            card["run"] = spec.Name;
        if (spec.Derivation is not null)
            card["sources"] = new JsonArray([.. spec.Derivation.Sources.Select(source => JsonValue.Create(source))]);
        if (spec.Derivation is WeightMix { Terms.Count: 3 } grid && spec.Change == ZooChange.Interpolation)
        {
            card["grid_a"] = grid.Terms[1].Weight;
            card["grid_b"] = grid.Terms[2].Weight;
        }
        return card;
    }

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
