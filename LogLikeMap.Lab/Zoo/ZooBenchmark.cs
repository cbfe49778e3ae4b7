using System.Globalization;
using System.Text;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Scoring;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using static TorchSharp.torch;

namespace LogLikeMap.Lab.Zoo;

/// <summary>One multiple-choice cloze item: which option continues the context.</summary>
public sealed record ClozeItem(string Context, IReadOnlyList<string> Options, int Answer);

/// <summary>
/// The zoo's own benchmark, the way the paper's targets are measured (docs/method.md §3.1): per text domain, a
/// held-out next-token accuracy and a 4-way cloze task, both in percent. It reads documents that no zoo model trains on
/// and that are not in the map's text set: every tenth document of each domain's training corpus file is held out of
/// training for it. The cloze task is scored by the project's scorer (<see cref="LogLikelihoodScorer"/>) as an
/// evaluation harness scores a multiple-choice task, calibrated for how likely each option is on its own: the option
/// whose log-likelihood gains most from the context is the model's answer.
/// </summary>
public static class ZooBenchmark
{
    public const int ClozeItemsPerDomain = 60;
    public const int NextTokenWindowsPerDomain = 24;
    private const int ContextChars = 160;
    private const int OptionChars = 48;
    private const int WindowChars = 400;
    private const int Seed = 42;

    /// <summary>Whether the corpus document at <paramref name="documentIndex"/> (0-based line) is held out for the benchmark.</summary>
    public static bool IsHeldOut(int documentIndex) => documentIndex % 10 == 9;

    /// <summary>The benchmark's targets (columns of the scores CSV): <c>next_token_SLUG</c> and <c>cloze_SLUG</c> per domain.</summary>
    public static IReadOnlyList<string> Targets { get; } =
        [.. ZooRecipe.AllDomains.Select(d => $"next_token_{d}"), .. ZooRecipe.AllDomains.Select(d => $"cloze_{d}")];

    /// <summary>The held-out documents of one domain, long enough for an item.</summary>
    public static IReadOnlyList<string> HeldOutDocuments(string corpusFolder, string slug) =>
        [.. TrainingCorpus.Documents(corpusFolder, slug).Where((d, i) => IsHeldOut(i) && d.Length >= WindowChars)];

    /// <summary>
    /// <see cref="ClozeItemsPerDomain"/> items of a domain: a context of 160 characters at a random place of a held-out
    /// document, its true next 48 characters and three 48-character spans from other random places of the domain's
    /// held-out documents, the true one at a random position. Deterministic for a corpus.
    /// </summary>
    public static IReadOnlyList<ClozeItem> ClozeItems(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var random = new Random(Seed);
        var items = new List<ClozeItem>(ClozeItemsPerDomain);
        while (items.Count < ClozeItemsPerDomain)
        {
            var (document, start) = Place(random, documents, ContextChars + OptionChars);
            var context = document.Substring(start, ContextChars);
            var truth = document.Substring(start + ContextChars, OptionChars);
            var options = new List<string> { truth };
            while (options.Count < 4)
            {
                var (other, at) = Place(random, documents, OptionChars);
                var span = other.Substring(at, OptionChars);
                if (!options.Contains(span, StringComparer.Ordinal))
                    options.Add(span);
            }
            var answer = random.Next(4);
            (options[0], options[answer]) = (options[answer], options[0]);
            items.Add(new ClozeItem(context, options, answer));
        }
        return items;
    }

    /// <summary><see cref="NextTokenWindowsPerDomain"/> windows of 400 characters at random places of the domain's held-out documents.</summary>
    public static IReadOnlyList<string> NextTokenWindows(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var random = new Random(Seed + 1);
        return [.. Enumerable.Range(0, NextTokenWindowsPerDomain).Select(_ =>
        {
            var (document, start) = Place(random, documents, WindowChars);
            return document.Substring(start, WindowChars);
        })];
    }

    /// <summary>A random document and a start from which <paramref name="length"/> characters fit, not inside a surrogate pair.</summary>
    private static (string Document, int Start) Place(Random random, IReadOnlyList<string> documents, int length)
    {
        while (true)
        {
            var document = documents[random.Next(documents.Count)];
            var start = random.Next(document.Length - length + 1);
            if (!char.IsLowSurrogate(document[start]) && !char.IsHighSurrogate(document[start + length - 1]))
                return (document, start);
        }
    }

    /// <summary>
    /// Every target of <see cref="Targets"/> for one checkpoint, in percent. Next-token accuracy: the share of a
    /// window's tokens (from the second on) that the model ranks first, pooled over the domain's windows. Cloze: the
    /// share of items whose true option gains most from the context, log p(option | context) − log p(option | "\n"),
    /// each log p(option | prefix) = ℓ(prefix + option) − ℓ(prefix) scored by the project's scorer on the checkpoint's
    /// own token ids (the zoo's tokenizers add no special tokens; a context is cut from the left when it and an option
    /// would not fit the model's positions). Without the "\n" baseline, options that are likely anywhere (spaces,
    /// common words) win whatever the context, and tiny models score at chance.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, double>> ScoreAsync(
        string checkpoint, IReadOnlyDictionary<string, IReadOnlyList<string>> documentsByDomain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documentsByDomain);
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        var tokenizer = CheckpointFolder.Open(checkpoint).Tokenizer;
        using (var model = CheckpointLoader.Load(CheckpointFolder.Open(checkpoint), ScalarType.Float32, CPU))
        {
            foreach (var slug in ZooRecipe.AllDomains)
            {
                var windows = NextTokenWindows(documentsByDomain[slug]).Select(w => tokenizer.EncodeWithSpecialTokens(w, model.MaxPositions));
                results[$"next_token_{slug}"] = NextTokenAccuracy(model, windows);
            }
        }

        using var scorer = LogLikelihoodScorer.Load(checkpoint, new ScoringOptions(Threads: 1));
        foreach (var slug in ZooRecipe.AllDomains)
        {
            var items = ClozeItems(documentsByDomain[slug]);
            var sequences = new List<TokenizedText>();
            int Add(IReadOnlyList<int> ids)
            {
                sequences.Add(new TokenizedText(sequences.Count, ids));
                return sequences.Count - 1;
            }
            var newline = tokenizer.EncodeWithSpecialTokens("\n");
            var newlineAlone = Add(newline);
            var questions = new List<(int Context, int[] WithContext, int[] WithNewline)>();
            foreach (var item in items)
            {
                var optionIds = item.Options.Select(o => tokenizer.EncodeWithSpecialTokens(o)).ToList();
                var contextIds = tokenizer.EncodeWithSpecialTokens(item.Context);
                var kept = contextIds.Skip(Math.Max(0, contextIds.Count + optionIds.Max(o => o.Count) - scorer.MaxPositions)).ToList();
                questions.Add((
                    Add(kept),
                    [.. optionIds.Select(o => Add([.. kept, .. o]))],
                    [.. optionIds.Select(o => Add([.. newline, .. o]))]));
            }
            var scores = await scorer.ScoreAsync(sequences, null, cancellationToken);
            var correct = 0;
            for (var i = 0; i < items.Count; i++)
            {
                var (context, withContext, withNewline) = questions[i];
                var gains = Enumerable.Range(0, 4)
                    .Select(o => scores[withContext[o]].LogLikelihood - scores[context].LogLikelihood
                                 - (scores[withNewline[o]].LogLikelihood - scores[newlineAlone].LogLikelihood))
                    .ToArray();
                if (Array.IndexOf(gains, gains.Max()) == items[i].Answer)
                    correct++;
            }
            results[$"cloze_{slug}"] = 100.0 * correct / items.Count;
        }
        return results;
    }

    private static double NextTokenAccuracy(CausalLanguageModel model, IEnumerable<IReadOnlyList<int>> windows)
    {
        long hits = 0, total = 0;
        using var inference = inference_mode();
        foreach (var ids in windows)
        {
            using var scope = NewDisposeScope();
            var input = tensor(ids.Select(id => (long)id).ToArray(), [1, ids.Count], ScalarType.Int64, CPU);
            var predicted = model.forward(input)[0, ..^1, ..].argmax(-1);                       // (T-1,)
            var actual = input[0, 1..];
            hits += predicted.eq(actual).sum().item<long>();
            total += ids.Count - 1;
        }
        return 100.0 * hits / total;
    }

    /// <summary>
    /// Scores every map model of <paramref name="recipe"/> on the benchmark and writes the scores CSV
    /// <c>model,family,&lt;target&gt;,...</c> that <c>loglikemap predict --scores</c> reads (group column <c>family</c>).
    /// </summary>
    public static async Task WriteScoresAsync(
        IReadOnlyList<ZooModelSpec> recipe, string zooFolder, string corpusFolder, string outputCsv,
        IProgress<ZooScoringEvent> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(log);
        var documents = ZooRecipe.AllDomains.ToDictionary(
            slug => slug, slug => HeldOutDocuments(corpusFolder, slug), StringComparer.Ordinal);
        var csv = new StringBuilder("model,family," + string.Join(",", Targets) + "\n");
        foreach (var spec in recipe.Where(s => s.InMap))
        {
            foreach (var (name, _) in spec.SavedModels)
            {
                var started = DateTime.UtcNow;
                var scores = await ScoreAsync(Path.Combine(zooFolder, name), documents, cancellationToken);
                csv.Append(name).Append(',').Append(spec.Family);
                foreach (var target in Targets)
                    csv.Append(',').Append(scores[target].ToString("0.###", CultureInfo.InvariantCulture));
                csv.Append('\n');
                log.Report(new ZooScoringEvent($"{name}: benchmark in {(DateTime.UtcNow - started).TotalSeconds:F0} s"));
            }
        }
        await File.WriteAllTextAsync(outputCsv, csv.ToString(), cancellationToken);
    }
}
