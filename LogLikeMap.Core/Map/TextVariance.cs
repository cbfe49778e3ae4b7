namespace LogLikeMap.Core.Map;

/// <summary>A model's row of Q (length N), by its position in a set of rows.</summary>
public delegate ReadOnlySpan<double> ModelRow(int model);

/// <summary>
/// Per text s, the variance across models of column s of Q, the clipped and double-centred log-likelihoods
/// (docs/method.md §1.3-1.4). Texts where models disagree most are the ones that tell models apart: the
/// follow-up "Likelihood Variance as Text Importance for Resampling Texts to Map Language Models" (Oyama,
/// Kishino, Yamagiwa, Shimodaira, arXiv 2505.15428, EMNLP 2025 Findings; docs/method.md §5.1) samples text s
/// with probability ∝ Σ_i Q_is², which is K times this variance, and needs about half as many texts as uniform
/// sampling for the same KL accuracy.
/// </summary>
public static class TextVariance
{
    /// <summary>Over the K rows of <paramref name="q"/>; its column means are zero, so this is (1/K) Σ_i Q_is².</summary>
    public static double[] AcrossModels(CentredLogLikelihoods q)
    {
        ArgumentNullException.ThrowIfNull(q);
        return AcrossModels(q.ModelCount, q.TextCount, q.Row);
    }

    /// <summary>
    /// The population variance (ddof 0) of each column over <paramref name="modelCount"/> rows of length
    /// <paramref name="textCount"/>, around the rows' own column mean. Column centring shifts a column alike for
    /// every model, so rows centred with another model set's column means (models placed after the centring,
    /// <see cref="CentredLogLikelihoods.CentreNewModel"/>, or a layout some models were removed from since) give
    /// the variance of Q re-centred over exactly these models.
    /// </summary>
    public static double[] AcrossModels(int modelCount, int textCount, ModelRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentOutOfRangeException.ThrowIfLessThan(modelCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(textCount, 1);

        // Two passes (mean, then squared deviations), rows in model order so the sums never depend on threads.
        var mean = new double[textCount];
        for (var i = 0; i < modelCount; i++)
        {
            var q = RowOfLength(row, i, textCount);
            for (var s = 0; s < textCount; s++)
                mean[s] += q[s];
        }
        for (var s = 0; s < textCount; s++)
            mean[s] /= modelCount;

        var variance = new double[textCount];
        for (var i = 0; i < modelCount; i++)
        {
            var q = row(i);
            for (var s = 0; s < textCount; s++)
            {
                var d = q[s] - mean[s];
                variance[s] += d * d;
            }
        }
        for (var s = 0; s < textCount; s++)
            variance[s] /= modelCount;
        return variance;
    }

    private static ReadOnlySpan<double> RowOfLength(ModelRow row, int model, int textCount)
    {
        var q = row(model);
        if (q.Length != textCount)
            throw new ArgumentException($"Model {model}'s row has {q.Length} values but the map has {textCount} texts.", nameof(row));
        return q;
    }
}
