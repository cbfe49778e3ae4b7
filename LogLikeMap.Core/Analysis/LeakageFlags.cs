namespace LogLikeMap.Core.Analysis;

/// <summary>One model's leakage check: its mean log-likelihood, what its scores imply, the residual and its robust z.</summary>
public sealed record LeakageCheck(string Model, double MeanLogLikelihood, double Implied, double Residual, double RobustZ, bool Flagged);

/// <summary>
/// Data-leakage flags (docs/method.md §3.3: models pre-trained on the texts "display anomalously high log-likelihoods
/// mismatching their benchmark scores"; the paper gives no statistic, so this one is ours). Across the models with
/// scores, the mean log-likelihood ℓ̄ is regressed on the benchmark scores by least squares with an intercept; a model's
/// residual r = ℓ̄ - ℓ̂(scores) is how much likelier it finds the texts than models of its ability do. Residuals are put on
/// a robust scale, z = (r - median r) / (1.4826 MAD r) over the models with scores, and a model is flagged when z exceeds
/// <see cref="DefaultThreshold"/> = 3.5, Iglewicz and Hoaglin's cut-off for the modified z-score (one-sided: only a too
/// high likelihood suggests the model saw the texts). Models without scores are checked with their predicted scores.
/// Run it per text domain (the mean over that domain's texts) to see where the excess sits.
/// </summary>
public static class LeakageFlags
{
    public const double DefaultThreshold = 3.5;

    /// <param name="models">Model names.</param>
    /// <param name="meanLogLikelihood">Each model's mean log-likelihood (nats per text).</param>
    /// <param name="scores">Each model's scores, true or predicted (same targets for all).</param>
    /// <param name="fitted">Which models have true scores: only they fit the regression and the scale.</param>
    public static IReadOnlyList<LeakageCheck> Check(
        IReadOnlyList<string> models,
        IReadOnlyList<double> meanLogLikelihood,
        IReadOnlyList<double[]> scores,
        IReadOnlyList<bool> fitted,
        double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(meanLogLikelihood);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(fitted);
        if (meanLogLikelihood.Count != models.Count || scores.Count != models.Count || fitted.Count != models.Count)
            throw new ArgumentException("Every model needs a mean log-likelihood, scores and a fitted flag.");
        var p = scores.Count == 0 ? 0 : scores[0].Length;
        var rows = Enumerable.Range(0, models.Count).Where(i => fitted[i]).ToArray();
        if (rows.Length < p + 3)
            throw new ArgumentException($"{rows.Length} models with scores cannot fit {p} scores and an intercept with residuals to spare; need at least {p + 3}.");

        var coefficients = LeastSquares(rows.Select(i => scores[i]).ToArray(), rows.Select(i => meanLogLikelihood[i]).ToArray());
        var residuals = new double[models.Count];
        var implied = new double[models.Count];
        for (var i = 0; i < models.Count; i++)
        {
            implied[i] = coefficients[0];
            for (var c = 0; c < p; c++)
                implied[i] += coefficients[c + 1] * scores[i][c];
            residuals[i] = meanLogLikelihood[i] - implied[i];
        }
        var fittedResiduals = rows.Select(i => residuals[i]).ToArray();
        var median = Median(fittedResiduals);
        var scale = 1.4826 * Median([.. fittedResiduals.Select(r => Math.Abs(r - median))]);
        return [.. Enumerable.Range(0, models.Count).Select(i =>
        {
            var z = scale > 0 ? (residuals[i] - median) / scale : 0;
            return new LeakageCheck(models[i], meanLogLikelihood[i], implied[i], residuals[i], z, z > threshold);
        })];
    }

    /// <summary>
    /// The check after a prediction: ℓ̄ is each model's mean raw log-likelihood over the matrix's texts, the regressors
    /// its benchmark scores (every target but <c>mean_logp</c>), true where the model has them, else predicted.
    /// </summary>
    public static IReadOnlyList<LeakageCheck> FromPrediction(
        LogLikeMap.Core.Map.LogLikelihoodMatrix matrix, ScoreTable scores, PredictionResult prediction, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(prediction);
        var targets = Enumerable.Range(0, scores.Targets.Count).Where(t => scores.Targets[t] != BenchmarkPrediction.MeanLogLikelihood).ToArray();
        if (targets.Length == 0)
            throw new ArgumentException("Leakage needs at least one benchmark score besides mean_logp.", nameof(scores));
        var scored = prediction.ScoredModels.ToHashSet(StringComparer.Ordinal);
        var predicted = prediction.Unscored.ToDictionary(p => (p.Model, p.Target), p => p.Predicted);
        var names = matrix.ModelNames;
        var mean = new double[names.Count];
        var values = new double[names.Count][];
        for (var i = 0; i < names.Count; i++)
        {
            var row = matrix.Row(i);
            var sum = 0.0;
            foreach (var v in row)
                sum += v;
            mean[i] = sum / row.Length;
            var name = names[i];
            values[i] = [.. targets.Select(t => scored.Contains(name)
                ? scores.Scores[name][t]!.Value
                : predicted[(name, scores.Targets[t])])];
        }
        return Check(names, mean, values, [.. names.Select(scored.Contains)], threshold);
    }

    /// <summary>Intercept and slopes minimising Σ (y - b0 - x·b)², by the normal equations (p is a handful of scores).</summary>
    internal static double[] LeastSquares(double[][] x, double[] y)
    {
        var p = x[0].Length + 1;
        var a = new double[p * p];
        var b = new double[p];
        for (var r = 0; r < y.Length; r++)
        {
            var row = new double[p];
            row[0] = 1;
            x[r].CopyTo(row, 1);
            for (var i = 0; i < p; i++)
            {
                b[i] += row[i] * y[r];
                for (var j = 0; j < p; j++)
                    a[(i * p) + j] += row[i] * row[j];
            }
        }
        // A tiny ridge on the slopes keeps collinear scores (e.g. a mean of the others) solvable; it does not move a full-rank fit.
        var trace = Enumerable.Range(1, p - 1).Sum(i => a[(i * p) + i]);
        for (var i = 1; i < p; i++)
            a[(i * p) + i] += 1e-10 * trace;
        Cholesky.FactorInPlace(a, p);
        Cholesky.SolveInPlace(a, p, b);
        return b;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
