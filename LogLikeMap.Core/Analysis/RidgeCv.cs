namespace LogLikeMap.Core.Analysis;

/// <summary>
/// scikit-learn's <c>RidgeCV(alphas, cv=k)</c> with an integer cv: a <c>GridSearchCV</c> over the alphas with the
/// unshuffled <c>KFold(k)</c> of the training rows and the estimator's own score, R² = 1 - SS_res / SS_tot on each
/// held-out block (sklearn's <c>r2_score</c>: 1 when SS_tot = 0 and the fit is exact, else 0 there). The alpha with
/// the highest mean R² over the k blocks wins; on a tie the first in the given order (<c>rankdata(method="min")</c>,
/// then the lowest index). The winner is refitted on all training rows.
/// </summary>
public static class RidgeCv
{
    /// <summary>
    /// The chosen alpha of each target, by inner cross-validation over <paramref name="train"/> (rows of the Gram
    /// matrix, ascending). <paramref name="values"/>[t][row] is target t's value of a row; targets that share an alpha
    /// share its factorisation.
    /// </summary>
    public static double[] ChooseAlphas(
        FeatureGram gram,
        int[] train,
        IReadOnlyList<IReadOnlyList<double>> alphas,
        IReadOnlyList<double[]> values,
        int innerFolds)
    {
        ArgumentNullException.ThrowIfNull(gram);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(alphas);
        ArgumentNullException.ThrowIfNull(values);
        var meanScore = alphas.Select(a => new double[a.Count]).ToArray();
        var blocks = CrossValidation.KFold(train.Length, innerFolds);
        foreach (var block in blocks)
        {
            var kernel = new CentredKernel(gram, [.. block.Train.Select(p => train[p])]);
            var test = block.Test.Select(p => train[p]).ToArray();
            foreach (var alpha in alphas.SelectMany(a => a).Distinct())
            {
                var solver = kernel.Factor(alpha);
                for (var t = 0; t < alphas.Count; t++)
                {
                    var position = IndexOf(alphas[t], alpha);
                    if (position < 0)
                        continue;
                    var y = values[t];
                    var model = solver.Fit([.. kernel.Train.Select(row => y[row])]);
                    meanScore[t][position] += RSquared(test.Select(row => y[row]).ToArray(), [.. test.Select(model.Predict)]);
                }
            }
        }

        var chosen = new double[alphas.Count];
        for (var t = 0; t < alphas.Count; t++)
        {
            var best = 0;
            for (var a = 0; a < alphas[t].Count; a++)
            {
                meanScore[t][a] /= blocks.Count;
                if (meanScore[t][a] > meanScore[t][best])
                    best = a;
            }
            chosen[t] = alphas[t][best];
        }
        return chosen;
    }

    /// <summary>sklearn's <c>r2_score</c> with <c>force_finite=True</c>.</summary>
    public static double RSquared(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        var mean = truth.Average();
        double residual = 0, total = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            residual += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
            total += (truth[i] - mean) * (truth[i] - mean);
        }
        if (total == 0)
            return residual == 0 ? 1.0 : 0.0;
        return 1 - (residual / total);
    }

    private static int IndexOf(IReadOnlyList<double> alphas, double alpha)
    {
        for (var i = 0; i < alphas.Count; i++)
        {
            if (alphas[i] == alpha)
                return i;
        }
        return -1;
    }
}
