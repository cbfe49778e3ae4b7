using LogLikeMap.Core.Analysis;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;
using LogLikeMap.Scoring;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Lab.Zoo;

/// <param name="MonteCarloModels">How many models (one tokenizer, spread over the families) enter the KL check.</param>
/// <param name="SamplesPerModel">Sequences sampled from each of them.</param>
/// <param name="SampleLength">Tokens per sampled sequence (the first one given, see <see cref="TextGeneration"/>).</param>
/// <param name="Tokenizer">Only models of this tokenizer are paired: KL between token sequences needs one vocabulary.</param>
/// <param name="NeighbourCount">k of the family-neighbour check.</param>
public sealed record ZooCheckOptions(
    int MonteCarloModels = 12, int SamplesPerModel = 32, int SampleLength = 128, string Tokenizer = "bytes", int Seed = 42, int Threads = 1,
    int NeighbourCount = 5);

/// <summary>One pair of the KL check: the Monte-Carlo KL both ways and the map's estimate, all in nats.</summary>
public sealed record KlPair(string First, string Second, double MonteCarloForward, double MonteCarloBackward, double Estimate)
{
    /// <summary>The symmetrised Monte-Carlo KL, comparable with the symmetric estimate |q_i - q_j|^2 / 2N.</summary>
    public double MonteCarloSymmetric => (MonteCarloForward + MonteCarloBackward) / 2;
}

/// <summary>One lineage's share of its models' k nearest neighbours that are of the same lineage.</summary>
/// <param name="Models">Models of the lineage on the map.</param>
/// <param name="SameLineage">Neighbours of the same lineage, summed over its models (of Models x k).</param>
/// <param name="ModelsAtLeast80">Models whose k nearest are at least 80% of their own lineage.</param>
public sealed record LineageNeighbours(int Models, int SameLineage, int ModelsAtLeast80);

/// <summary>The numbers of the checks of the method on the zoo.</summary>
public sealed record ZooCheckReport(
    IReadOnlyList<KlPair> KlPairs,
    double KlPearson,
    double KlSpearman,
    int ModelCount,
    int NeighbourCount,
    IReadOnlyDictionary<string, LineageNeighbours> ByFamily,
    IReadOnlyList<(string Checkpoint, string Nearest)> CheckpointNeighbours,
    int NearestIsAdjacentCheckpoint,
    int ConsecutiveMutual,
    GridFit? Grid)
{
    public string Format()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        if (KlPairs.Count > 0)
        {
            text.AppendLine(c, $"1. Monte-Carlo KL vs |q_i - q_j|^2 / 2N over {KlPairs.Count} pairs: Pearson {KlPearson:F3}, Spearman {KlSpearman:F3}");
            foreach (var pair in KlPairs.OrderBy(p => p.Estimate).Where((_, i) => i % Math.Max(1, KlPairs.Count / 8) == 0))
                text.AppendLine(c, $"   e.g. {pair.First} / {pair.Second}: MC {pair.MonteCarloForward:F2} and {pair.MonteCarloBackward:F2} nats, estimate {pair.Estimate:F2} nats");
        }
        else
        {
            text.AppendLine("1. Monte-Carlo KL: skipped (--models 0)");
        }
        var same = ByFamily.Values.Sum(f => f.SameLineage);
        var atLeast80 = ByFamily.Values.Sum(f => f.ModelsAtLeast80);
        text.AppendLine(c, $"2. {NeighbourCount} nearest neighbours (full space) of the same family: {same}/{ModelCount * NeighbourCount} = {(double)same / (ModelCount * NeighbourCount):P1}; models with at least 80%: {atLeast80}/{ModelCount}");
        foreach (var (family, counts) in ByFamily.OrderBy(f => f.Key, StringComparer.Ordinal))
            text.AppendLine(c, $"   {family}: {counts.SameLineage}/{counts.Models * NeighbourCount} neighbours, {counts.ModelsAtLeast80}/{counts.Models} models at least 80%");
        text.AppendLine(c, $"3. Checkpoints of the training runs: nearest neighbour is an adjacent checkpoint for {NearestIsAdjacentCheckpoint}/{CheckpointNeighbours.Count}; consecutive pairs that are each other's nearest: {ConsecutiveMutual}");
        foreach (var (checkpoint, nearest) in CheckpointNeighbours)
            text.AppendLine(c, $"   {checkpoint} -> {nearest}");
        if (Grid is { } grid)
            text.AppendLine(c, $"4. Interpolation grid ({grid.Points.Count} models): 2-D PCA coordinates fitted linearly from (a, b): R^2 {grid.RSquared:F4} (PC1 {grid.RSquaredX:F4}, PC2 {grid.RSquaredY:F4})");
        return text.ToString();
    }
}

/// <summary>
/// The checks of the method on the zoo (the "checks of the method"): (1) the paper's KL estimate
/// |q_i - q_j|^2 / 2N (docs/method.md 1.5) against Monte-Carlo KL from the models' own samples; (2) how many of each
/// model's k nearest neighbours in the full space share its family (lineage); (3) whether checkpoints of a run
/// neighbour the checkpoints next to them; (4) how linear the interpolation grid stays (docs/method.md §3.6).
/// </summary>
public static class ZooChecks
{
    public static async Task<ZooCheckReport> RunAsync(
        string mapFolder, string zooFolder, ZooCheckOptions options, IProgress<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loaded = ResultsFolder.Read(Path.Combine(mapFolder, "results"), cancellationToken);
        var cards = ReadCards(Path.Combine(mapFolder, "models.jsonl"));
        var map = ModelMapBuilder.Build(loaded.Matrix, new MapOptions(), null, cancellationToken);
        var texts = await TextSetFile.ReadAsync(Path.Combine(mapFolder, "texts.jsonl"), cancellationToken);

        var pairs = options.MonteCarloModels < 2
            ? []
            : await MonteCarloPairsAsync(map, cards, zooFolder, texts, options, log, cancellationToken);
        var byFamily = FamilyNeighbours(map, cards, options.NeighbourCount);
        var (checkpointNeighbours, adjacent, mutual) = CheckpointNeighbours(map, cards);
        return new ZooCheckReport(
            pairs,
            pairs.Count < 2 ? double.NaN : Correlation.Pearson([.. pairs.Select(p => p.MonteCarloSymmetric)], [.. pairs.Select(p => p.Estimate)]),
            pairs.Count < 2 ? double.NaN : Correlation.Spearman([.. pairs.Select(p => p.MonteCarloSymmetric)], [.. pairs.Select(p => p.Estimate)]),
            map.ModelCount,
            options.NeighbourCount,
            byFamily,
            checkpointNeighbours,
            adjacent,
            mutual,
            Grid(loaded.Matrix, cancellationToken));
    }

    /// <summary>Check 4: the recipe's interpolation grid (its 33 grid models, the base and its two fine-tunes), where all 36 are on the map.</summary>
    internal static GridFit? Grid(LogLikelihoodMatrix matrix, CancellationToken cancellationToken)
    {
        var points = ZooRecipe.GridSteps.SelectMany(a => ZooRecipe.GridSteps.Select(b => (Model: ZooRecipe.GridModel(a, b), Alpha: a, Beta: b))).ToList();
        var rows = points.Select(p => matrix.ModelNames.ToList().IndexOf(p.Model)).ToList();
        if (rows.Any(r => r < 0))
            return null;
        var values = rows.SelectMany(r => matrix.Row(r).ToArray()).ToArray();
        var grid = new LogLikelihoodMatrix([.. points.Select(p => p.Model)], matrix.TextCount, values);
        return InterpolationGrid.Fit(grid, [.. points.Select(p => (p.Alpha, p.Beta))], new MapOptions().ClipPercentile, cancellationToken);
    }

    /// <summary>The cards of models.jsonl by name: family, tokenizer and step are what the checks use.</summary>
    internal static Dictionary<string, JsonObject> ReadCards(string path) =>
        File.ReadLines(path)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToDictionary(card => card["name"]!.GetValue<string>(), StringComparer.Ordinal);

    /// <summary>Check 2: per family, how many of its models' <paramref name="k"/> nearest neighbours (full space, docs/method.md §2) share the family.</summary>
    internal static Dictionary<string, LineageNeighbours> FamilyNeighbours(ModelMap map, IReadOnlyDictionary<string, JsonObject> cards, int k)
    {
        var byFamily = new Dictionary<string, LineageNeighbours>(StringComparer.Ordinal);
        for (var i = 0; i < map.ModelCount; i++)
        {
            var family = Family(cards, map.ModelNames[i]);
            var same = map.NearestNeighbours(i, k).Count(n => Family(cards, n.Name) == family);
            var counts = byFamily.GetValueOrDefault(family) ?? new LineageNeighbours(0, 0, 0);
            byFamily[family] = new LineageNeighbours(counts.Models + 1, counts.SameLineage + same, counts.ModelsAtLeast80 + (same >= 0.8 * k ? 1 : 0));
        }
        return byFamily;
    }

    /// <summary>
    /// Check 3: for each training run that saved several checkpoints (cards with <c>run</c>), each checkpoint's nearest
    /// neighbour, whether it is the step before or after, and how many consecutive pairs are each other's nearest.
    /// </summary>
    internal static (List<(string, string)> Neighbours, int Adjacent, int Mutual) CheckpointNeighbours(
        ModelMap map, IReadOnlyDictionary<string, JsonObject> cards)
    {
        var neighbours = new List<(string, string)>();
        int adjacent = 0, mutual = 0;
        var runs = cards.Values
            .Where(card => card["run"] is not null && card["step"] is not null && map.ModelNames.Contains(card["name"]!.GetValue<string>()))
            .GroupBy(card => card["run"]!.GetValue<string>(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in runs)
        {
            var run = group.OrderBy(card => card["step"]!.GetValue<int>()).Select(card => card["name"]!.GetValue<string>()).ToList();
            var nearestOf = run.ToDictionary(name => name, name => map.NearestNeighbours(map.IndexOf(name), 1)[0].Name, StringComparer.Ordinal);
            adjacent += run.Where((name, k) =>
                (k > 0 && nearestOf[name] == run[k - 1]) || (k + 1 < run.Count && nearestOf[name] == run[k + 1])).Count();
            mutual += Enumerable.Range(0, Math.Max(0, run.Count - 1))
                .Count(k => nearestOf[run[k]] == run[k + 1] && nearestOf[run[k + 1]] == run[k]);
            neighbours.AddRange(run.Select(name => (name, nearestOf[name])));
        }
        return (neighbours, adjacent, mutual);
    }

    /// <summary>
    /// Check 1: for every pair of the chosen models, KL(p_i || p_j) ~ mean over x ~ p_i of log p_i(x) - log p_j(x),
    /// with both log-likelihoods computed by the scoring engine exactly as on the text set (first token not scored).
    /// </summary>
    private static async Task<List<KlPair>> MonteCarloPairsAsync(
        ModelMap map, IReadOnlyDictionary<string, JsonObject> cards, string zooFolder, TextSet texts,
        ZooCheckOptions options, IProgress<string>? log, CancellationToken cancellationToken)
    {
        var models = ChooseModels(map.ModelNames, cards, options);
        var random = new Random(options.Seed);
        var starts = Enumerable.Range(0, options.SamplesPerModel).Select(_ => texts.Texts[random.Next(texts.Count)].Text).ToList();

        var samples = new Dictionary<string, List<TokenizedText>>(StringComparer.Ordinal);
        foreach (var (name, k) in models.Select((name, k) => (name, k)))
        {
            var folder = Path.Combine(zooFolder, name);
            var tokenizer = HfTokenizer.Load(folder);
            var firstTokens = starts.Select(text => tokenizer.EncodeWithSpecialTokens(text)[0]).ToList();
            var sequences = await Task.Run(
                () => TextGeneration.Sample(folder, firstTokens, options.SampleLength, options.Seed + k, cancellationToken), cancellationToken);
            samples[name] = [.. sequences.Select((ids, s) => new TokenizedText(s, ids))];
            log?.Report($"sampled {sequences.Count} x {options.SampleLength} tokens from {name}");
        }

        // logLikelihood[j][i] = scores under model j of the samples of model i.
        var logLikelihood = new Dictionary<string, Dictionary<string, double[]>>(StringComparer.Ordinal);
        foreach (var judge in models)
        {
            using var scorer = LogLikelihoodScorer.Load(Path.Combine(zooFolder, judge), new ScoringOptions(Threads: options.Threads));
            logLikelihood[judge] = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var sampled in models)
            {
                var scores = await scorer.ScoreAsync(samples[sampled], null, cancellationToken);
                logLikelihood[judge][sampled] = [.. scores.OrderBy(s => s.Index).Select(s => s.LogLikelihood)];
            }
        }

        double MonteCarlo(string p, string q) =>
            logLikelihood[p][p].Zip(logLikelihood[q][p], (own, other) => own - other).Average();

        var pairs = new List<KlPair>();
        for (var a = 0; a < models.Count; a++)
        {
            for (var b = a + 1; b < models.Count; b++)
            {
                pairs.Add(new KlPair(
                    models[a], models[b], MonteCarlo(models[a], models[b]), MonteCarlo(models[b], models[a]),
                    map.Kl(map.IndexOf(models[a]), map.IndexOf(models[b]))));
            }
        }
        return pairs;
    }

    /// <summary>Up to the asked number of models of one tokenizer, taken from each family in turn so all families enter.</summary>
    internal static List<string> ChooseModels(IReadOnlyList<string> names, IReadOnlyDictionary<string, JsonObject> cards, ZooCheckOptions options)
    {
        var families = names
            .Where(name => cards[name]["tokenizer"]?.GetValue<string>() == options.Tokenizer)
            .GroupBy(name => Family(cards, name), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<string>(g.Order(StringComparer.Ordinal)))
            .ToList();
        var chosen = new List<string>();
        while (chosen.Count < options.MonteCarloModels && families.Any(f => f.Count > 0))
        {
            foreach (var family in families.Where(f => f.Count > 0))
            {
                if (chosen.Count < options.MonteCarloModels)
                    chosen.Add(family.Dequeue());
            }
        }
        if (chosen.Count < 2)
            throw new InvalidOperationException($"The KL check needs at least two models with the '{options.Tokenizer}' tokenizer in models.jsonl.");
        return chosen;
    }

    private static string Family(IReadOnlyDictionary<string, JsonObject> cards, string name) =>
        cards.TryGetValue(name, out var card)
            ? card["family"]!.GetValue<string>()
            : throw new InvalidDataException($"models.jsonl has no line for '{name}', which has a results file.");
}
