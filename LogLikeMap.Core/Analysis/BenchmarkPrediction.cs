using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>How the prediction cross-validates (docs/method.md §3.1).</summary>
/// <param name="Folds">Outer folds (5).</param>
/// <param name="Seeds">Repetitions with random_state 0..Seeds-1 (5).</param>
/// <param name="InnerFolds">RidgeCV's unshuffled inner folds (5).</param>
/// <param name="ClipPercentile">The global lower clip of L before centring (2, §1.3).</param>
/// <param name="IntervalLevel">Coverage aimed at by the interval of a model without scores (0.9).</param>
public sealed record PredictionOptions(
    int Folds = 5,
    int Seeds = 5,
    int InnerFolds = 5,
    double ClipPercentile = 2,
    double IntervalLevel = 0.9);

/// <summary>One held-out prediction: model, target, repetition, fold, its true score, the prediction and the alpha chosen.</summary>
public sealed record HeldOutPrediction(string Model, string Target, int Seed, int Fold, double True, double Predicted, double Alpha);

/// <summary>
/// A target's held-out agreement: Pearson's r and Spearman's rho between true and predicted scores over all models of
/// one repetition (folds pooled), mean and standard deviation (ddof 0) over the repetitions; n models.
/// </summary>
public sealed record TargetSummary(double Pearson, double PearsonStd, double Spearman, double SpearmanStd, int Count);

/// <summary>
/// A predicted score for a model without that score, with an interval: the mean of the seeds x folds models'
/// predictions, ± the split-conformal quantile of the held-out absolute errors (see <see cref="BenchmarkPrediction"/>).
/// </summary>
public sealed record UnscoredPrediction(string Model, string Target, double Predicted, double Lower, double Upper);

public sealed record PredictionResult(
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> ScoredModels,
    bool Grouped,
    IReadOnlyList<HeldOutPrediction> HeldOut,
    IReadOnlyDictionary<string, TargetSummary> Summary,
    IReadOnlyList<UnscoredPrediction> Unscored,
    double IntervalLevel);

/// <summary>
/// Benchmark-score prediction from the coordinates (docs/method.md §3.1; the authors' src_pred_perform):
/// <list type="number">
/// <item>the models used are those with every target (and a group when grouping);</item>
/// <item>features: L clipped at its global <c>ClipPercentile</c> (over all models of the matrix), rows centred,
/// columns centred over exactly the models used, train and test folds together (transductive, as the paper);</item>
/// <item>per target and repetition seed: outer <c>GroupKFold(shuffle=True, random_state=seed)</c> by group, or
/// <c>KFold(shuffle=True, random_state=seed)</c> without groups; in each fold <c>RidgeCV(cv=5)</c> over 10^1..10^9
/// (10^-4..10^4 for <c>mean_logp</c>), benchmark predictions clipped to [0, 100] (not <c>mean_logp</c>);</item>
/// <item>Pearson and Spearman over the held-out predictions.</item>
/// </list>
/// Models without every target get a prediction of each target from all seeds x folds models (mean), with an interval
/// of ± the ⌈(m+1)·level⌉-th smallest of the m held-out absolute errors of that target (split-conformal: if the new model
/// is like a held-out one, its error falls inside with probability about <c>level</c>; with GroupKFold the errors are
/// those of unseen families, so the interval is honest for a model of a new family).
/// </summary>
public static class BenchmarkPrediction
{
    /// <summary>The target name the paper predicts with the small alpha grid and never clips.</summary>
    public const string MeanLogLikelihood = "mean_logp";

    public static readonly IReadOnlyList<double> BenchmarkAlphas = [.. Enumerable.Range(1, 9).Select(e => Math.Pow(10, e))];

    public static readonly IReadOnlyList<double> MeanLogLikelihoodAlphas = [.. Enumerable.Range(-4, 9).Select(e => Math.Pow(10, e))];

    public static PredictionResult Run(
        LogLikelihoodMatrix matrix,
        ScoreTable scores,
        PredictionOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(options);
        var inMatrix = matrix.ModelNames.ToHashSet(StringComparer.Ordinal);
        var stray = scores.Scores.Keys.Where(name => !inMatrix.Contains(name)).Take(5).ToList();
        if (stray.Count > 0)
            throw new InvalidDataException(
                $"The scores name models the log-likelihoods lack ({string.Join(", ", stray)}); score them or drop their rows.");

        var grouped = scores.Groups is not null;
        var scored = new List<int>();
        var unscored = new List<int>();
        for (var i = 0; i < matrix.ModelCount; i++)
        {
            var name = matrix.ModelNames[i];
            var complete = scores.Scores.TryGetValue(name, out var values) && values.All(v => v.HasValue)
                && (!grouped || scores.Groups!.ContainsKey(name));
            (complete ? scored : unscored).Add(i);
        }
        // Each outer training set must still split into the inner folds; twice the larger fold count is enough.
        var minimum = 2 * Math.Max(Math.Max(options.Folds, options.InnerFolds), 2);
        if (scored.Count < minimum)
            throw new InvalidDataException(
                $"Only {scored.Count} models have every target{(grouped ? " and a group" : "")}; {options.Folds} outer and {options.InnerFolds} inner folds need at least {minimum}.");

        var features = PredictionFeatures.Build(matrix, scored, unscored, options.ClipPercentile);
        var gram = FeatureGram.Of(features.RowCount, matrix.TextCount, features.Row, cancellationToken);
        var targetCount = scores.Targets.Count;
        var targetValues = Enumerable.Range(0, targetCount)
            .Select(t => scored.Select(i => scores.Scores[matrix.ModelNames[i]][t]!.Value).ToArray())
            .ToArray();
        var alphas = scores.Targets.Select(t => t == MeanLogLikelihood ? MeanLogLikelihoodAlphas : BenchmarkAlphas).ToArray();
        var clip = scores.Targets.Select(t => t != MeanLogLikelihood).ToArray();
        var groups = grouped ? scored.Select(i => scores.Groups![matrix.ModelNames[i]]).ToArray() : null;

        // Repetitions are independent: run them in parallel, then gather in seed order so the output never depends on threads.
        var perSeed = new (List<HeldOutPrediction> HeldOut, double[][] Unscored)[options.Seeds];
        Parallel.For(0, options.Seeds, new ParallelOptions { CancellationToken = cancellationToken }, seed =>
        {
            var folds = groups is null
                ? CrossValidation.KFold(scored.Count, options.Folds, (uint)seed)
                : CrossValidation.GroupKFold(groups, options.Folds, (uint)seed);
            var heldOut = new List<HeldOutPrediction>();
            var extra = Enumerable.Range(0, targetCount).Select(_ => new double[unscored.Count]).ToArray();
            for (var f = 0; f < folds.Count; f++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fold = folds[f];
                var chosen = RidgeCv.ChooseAlphas(gram, fold.Train, alphas, targetValues, options.InnerFolds);
                var kernel = new CentredKernel(gram, fold.Train);
                foreach (var alphaGroup in Enumerable.Range(0, targetCount).GroupBy(t => chosen[t]))
                {
                    var solver = kernel.Factor(alphaGroup.Key);
                    foreach (var t in alphaGroup)
                    {
                        var model = solver.Fit([.. fold.Train.Select(row => targetValues[t][row])]);
                        foreach (var row in fold.Test)
                        {
                            heldOut.Add(new HeldOutPrediction(
                                matrix.ModelNames[scored[row]], scores.Targets[t], seed, f, targetValues[t][row],
                                Clip(model.Predict(row), clip[t]), alphaGroup.Key));
                        }
                        for (var u = 0; u < unscored.Count; u++)
                            extra[t][u] += Clip(model.Predict(scored.Count + u), clip[t]) / folds.Count;
                    }
                }
            }
            perSeed[seed] = (heldOut, extra);
        });

        var all = perSeed.SelectMany(s => s.HeldOut)
            .OrderBy(p => scores.Targets.IndexOf(p.Target)).ThenBy(p => p.Seed).ThenBy(p => p.Fold)
            .ThenBy(p => p.Model, StringComparer.Ordinal)
            .ToList();
        var summary = new Dictionary<string, TargetSummary>(StringComparer.Ordinal);
        var intervals = new List<UnscoredPrediction>();
        for (var t = 0; t < targetCount; t++)
        {
            var target = scores.Targets[t];
            var ofTarget = all.Where(p => p.Target == target).ToList();
            summary[target] = Summarise(ofTarget, options.Seeds, scored.Count);
            var halfWidth = ConformalHalfWidth(ofTarget.Select(p => Math.Abs(p.True - p.Predicted)).ToList(), options.IntervalLevel);
            for (var u = 0; u < unscored.Count; u++)
            {
                var point = perSeed.Average(s => s.Unscored[t][u]);
                intervals.Add(new UnscoredPrediction(
                    matrix.ModelNames[unscored[u]], target, point,
                    Clip(point - halfWidth, clip[t]), Clip(point + halfWidth, clip[t])));
            }
        }

        return new PredictionResult(
            scores.Targets, [.. scored.Select(i => matrix.ModelNames[i])], grouped, all, summary,
            [.. intervals.OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => scores.Targets.IndexOf(p.Target))],
            options.IntervalLevel);
    }

    /// <summary>The ⌈(m+1)·level⌉-th smallest error (the largest when that rank passes m).</summary>
    public static double ConformalHalfWidth(IReadOnlyList<double> absoluteErrors, double level)
    {
        ArgumentNullException.ThrowIfNull(absoluteErrors);
        if (absoluteErrors.Count == 0)
            throw new ArgumentException("No held-out errors to size an interval from.", nameof(absoluteErrors));
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "The interval level must lie strictly between 0 and 1.");
        var sorted = absoluteErrors.Order().ToArray();
        var rank = (int)Math.Ceiling((sorted.Length + 1) * level);
        return sorted[Math.Min(rank, sorted.Length) - 1];
    }

    private static TargetSummary Summarise(List<HeldOutPrediction> predictions, int seeds, int count)
    {
        var pearson = new double[seeds];
        var spearman = new double[seeds];
        for (var s = 0; s < seeds; s++)
        {
            var ofSeed = predictions.Where(p => p.Seed == s).ToList();
            var truth = ofSeed.Select(p => p.True).ToArray();
            var predicted = ofSeed.Select(p => p.Predicted).ToArray();
            pearson[s] = Correlation.Pearson(truth, predicted);
            spearman[s] = Correlation.Spearman(truth, predicted);
        }
        return new TargetSummary(pearson.Average(), StandardDeviation(pearson), spearman.Average(), StandardDeviation(spearman), count);
    }

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }

    private static double Clip(double value, bool toScoreRange) => toScoreRange ? Math.Clamp(value, 0, 100) : value;

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
                return i;
        }
        return -1;
    }
}

/// <summary>
/// The prediction's features: rows of Q for the scored models (clipped at the whole matrix's percentile, row-centred,
/// column-centred over the scored models), then the other models centred with the same column means, so a model
/// without scores sits in the same space (like <see cref="CentredLogLikelihoods.CentreNewModel"/>).
/// </summary>
internal sealed class PredictionFeatures
{
    private readonly double[] _rows;
    private readonly int _length;

    private PredictionFeatures(double[] rows, int length)
    {
        _rows = rows;
        _length = length;
    }

    public int RowCount => _rows.Length / _length;

    public ReadOnlySpan<double> Row(int row) => _rows.AsSpan(row * _length, _length);

    public static PredictionFeatures Build(LogLikelihoodMatrix matrix, IReadOnlyList<int> scored, IReadOnlyList<int> others, double clipPercentile)
    {
        var threshold = Percentile.Of(matrix.Values, clipPercentile);
        var n = matrix.TextCount;
        var order = scored.Concat(others).ToArray();
        var rows = new double[order.Length * n];
        for (var r = 0; r < order.Length; r++)
        {
            var source = matrix.Row(order[r]);
            var row = rows.AsSpan(r * n, n);
            var sum = 0.0;
            for (var s = 0; s < n; s++)
            {
                row[s] = Math.Max(source[s], threshold);
                sum += row[s];
            }
            var mean = sum / n;
            for (var s = 0; s < n; s++)
                row[s] -= mean;
        }

        var columnMeans = new double[n];
        for (var r = 0; r < scored.Count; r++)
        {
            for (var s = 0; s < n; s++)
                columnMeans[s] += rows[(r * n) + s];
        }
        for (var s = 0; s < n; s++)
            columnMeans[s] /= scored.Count;
        for (var r = 0; r < order.Length; r++)
        {
            for (var s = 0; s < n; s++)
                rows[(r * n) + s] -= columnMeans[s];
        }
        return new PredictionFeatures(rows, n);
    }
}
