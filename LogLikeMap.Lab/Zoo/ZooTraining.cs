using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Lab.Zoo;

/// <summary>Where the zoo's inputs and outputs live.</summary>
/// <param name="ZooFolder">One Hugging Face checkpoint folder per saved model.</param>
/// <param name="CorpusFolder">The training corpus written by <c>loglikemap textset build</c>.</param>
/// <param name="Gpt2TokenizerFolder">GPT-2's vocab.json and merges.txt (data/tokenizers/gpt2).</param>
/// <param name="MapTexts">The map's text set (data/demo-map/texts.jsonl), for the run meant to leak it; null when no run trains on it.</param>
public sealed record ZooPaths(string ZooFolder, string CorpusFolder, string Gpt2TokenizerFolder, string? MapTexts = null);

/// <summary>A line of the training log: a run started, skipped, progressed or finished.</summary>
public sealed record ZooTrainingEvent(string Message);

/// <summary>
/// Trains every run of a recipe that is not yet saved. Resumable: a run whose saved models all exist is skipped, and
/// each model folder appears atomically, so an interrupted training restarts at the first unfinished run.
/// </summary>
public static class ZooTraining
{
    public static async Task TrainAsync(
        IReadOnlyList<ZooModelSpec> recipe,
        ZooPaths paths,
        TrainingOptions options,
        IProgress<ZooTrainingEvent> log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(paths.ZooFolder);
        var tokenizers = new Dictionary<string, ZooTokenizer>(StringComparer.Ordinal);
        var corpora = new Dictionary<string, TrainingCorpus>(StringComparer.Ordinal);

        foreach (var spec in recipe)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (spec.SavedModels.All(saved => Directory.Exists(Path.Combine(paths.ZooFolder, saved.Name))))
            {
                log.Report(new ZooTrainingEvent($"{spec.Name}: already saved, skipped"));
                continue;
            }
            // A run that saves several checkpoints and was cut off is retrained whole: its weights are not kept between runs.
            foreach (var (name, _) in spec.SavedModels)
            {
                var partial = Path.Combine(paths.ZooFolder, name);
                if (Directory.Exists(partial))
                    Directory.Delete(partial, recursive: true);
            }

            if (spec.Derivation is not null)
            {
                ZooDerivations.Write(spec, paths.ZooFolder);
                log.Report(new ZooTrainingEvent($"{spec.Name}: computed from {string.Join(", ", spec.Derivation.Sources)}"));
                continue;
            }

            string? parentFolder = null;
            if (spec.Parent is not null)
            {
                parentFolder = Path.Combine(paths.ZooFolder, spec.Parent);
                if (!Directory.Exists(parentFolder))
                    throw new InvalidOperationException($"{spec.Name} fine-tunes {spec.Parent}, which is not trained yet; list the parent first.");
            }

            var tokenizer = Tokenizer(spec.Tokenizer, paths, tokenizers);
            if (!corpora.TryGetValue(tokenizer.Name, out var corpus))
            {
                var started = DateTime.UtcNow;
                var mapTexts = paths.MapTexts is null
                    ? null
                    : (await TextSetFile.ReadAsync(paths.MapTexts, cancellationToken)).Texts.Select(t => t.Text).ToList();
                corpus = await Task.Run(
                    () => TrainingCorpus.Load(paths.CorpusFolder, ZooRecipe.AllDomains, tokenizer.Encode, tokenizer.EndOfTextId, mapTexts),
                    cancellationToken);
                corpora[tokenizer.Name] = corpus;
                log.Report(new ZooTrainingEvent(
                    $"corpus tokenized with '{tokenizer.Name}' in {(DateTime.UtcNow - started).TotalSeconds:F0} s: " +
                    string.Join(", ", ZooRecipe.AllDomains.Select(slug => $"{slug} {corpus.TokenCount(slug):N0}"))));
            }

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            log.Report(new ZooTrainingEvent($"{spec.Name}: training {spec.Steps} steps"));
            await Task.Run(
                () => ZooTrainer.Train(spec, tokenizer, corpus, paths.ZooFolder, parentFolder, options, new TrainingLog(log), cancellationToken),
                cancellationToken);
            log.Report(new ZooTrainingEvent($"{spec.Name}: saved in {stopwatch.Elapsed.TotalSeconds:F0} s"));
        }
    }

    /// <summary>The zoo tokenizer named in a recipe: "bytes", or "bpe1k", "bpe2k", "bpe4k" (GPT-2's first 1,024, 2,048, 4,096 merges).</summary>
    public static ZooTokenizer Tokenizer(string name, ZooPaths paths, Dictionary<string, ZooTokenizer> cache)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.TryGetValue(name, out var cached))
            return cached;
        var tokenizer = name switch
        {
            "bytes" => ZooTokenizer.Bytes,
            "bpe1k" => ZooTokenizer.FromGpt2("bpe1k", paths.Gpt2TokenizerFolder, 1024),
            "bpe2k" => ZooTokenizer.FromGpt2("bpe2k", paths.Gpt2TokenizerFolder, 2048),
            "bpe4k" => ZooTokenizer.FromGpt2("bpe4k", paths.Gpt2TokenizerFolder, 4096),
            _ => throw new ArgumentException($"Unknown zoo tokenizer '{name}'; the zoo knows bytes, bpe1k, bpe2k and bpe4k.", nameof(name)),
        };
        cache[name] = tokenizer;
        return tokenizer;
    }

    /// <summary>Forwards training progress to the log on the training thread, so log lines keep their order.</summary>
    private sealed class TrainingLog(IProgress<ZooTrainingEvent> log) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => log.Report(new ZooTrainingEvent(
            $"{value.Run}: step {value.Step}/{value.Steps} loss {value.Loss:F3} nats/token, {value.TokensPerSecond:F0} tokens/s"));
    }
}
