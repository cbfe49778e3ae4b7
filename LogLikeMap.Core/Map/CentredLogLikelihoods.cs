namespace LogLikeMap.Core.Map;

/// <summary>
/// The paper's coordinates Q (docs/method.md §1.3-1.4): the matrix L clipped from below at a global
/// percentile, then double centred. Row q_i is model i's position in the N-dimensional space where
/// |q_i - q_j|^2 / (2N) estimates KL(p_i, p_j). Keeps the clip threshold and the column means so a model
/// added later lands in the same space (the follow-up's <c>append</c> reuses both).
/// </summary>
public sealed class CentredLogLikelihoods
{
    private readonly double[] _q;
    private readonly double[] _columnMeans;

    private CentredLogLikelihoods(int modelCount, int textCount, double clipThreshold, double[] q, double[] columnMeans)
    {
        ModelCount = modelCount;
        TextCount = textCount;
        ClipThreshold = clipThreshold;
        _q = q;
        _columnMeans = columnMeans;
    }

    /// <summary>K, the number of models.</summary>
    public int ModelCount { get; }

    /// <summary>N, the number of texts.</summary>
    public int TextCount { get; }

    /// <summary>c: every log-likelihood below it was raised to it before centring.</summary>
    public double ClipThreshold { get; }

    /// <summary>
    /// The column means subtracted in the second centring step: per text, the mean over models of the
    /// row-centred clipped log-likelihoods. A new model subtracts these same values.
    /// </summary>
    public ReadOnlySpan<double> ColumnMeans => _columnMeans;

    /// <summary>q_i, model i's centred vector (length N).</summary>
    public ReadOnlySpan<double> Row(int model) => _q.AsSpan(model * TextCount, TextCount);

    /// <summary>All of Q, row-major (K x N).</summary>
    public ReadOnlySpan<double> Values => _q;

    /// <summary>The backing array, for kernels that need a stable reference; never written after construction.</summary>
    internal double[] Storage => _q;

    /// <summary>
    /// Clips <paramref name="matrix"/> at its global <paramref name="clipPercentile"/>-th percentile
    /// (numpy linear interpolation, <see cref="Percentile"/>), then centres rows and columns. The ACL code
    /// centres rows first, then columns; for plain means the order does not matter (§1.4).
    /// </summary>
    public static CentredLogLikelihoods FromMatrix(LogLikelihoodMatrix matrix, double clipPercentile)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return ClippedAt(matrix, Percentile.Of(matrix.Values, clipPercentile), null);
    }

    /// <summary>
    /// Clips <paramref name="matrix"/> at a given threshold (a stored layout's: the threshold belongs to the layout,
    /// docs/method.md §1.3), centres the rows, and subtracts <paramref name="columnMeans"/> when given (the stored
    /// layout's, so its models keep exactly the q they had though some were deleted since) or else their own column means.
    /// </summary>
    public static CentredLogLikelihoods ClippedAt(LogLikelihoodMatrix matrix, double clipThreshold, double[]? columnMeans)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (!double.IsFinite(clipThreshold))
            throw new ArgumentOutOfRangeException(nameof(clipThreshold), clipThreshold, "The clip threshold must be a finite number.");
        int k = matrix.ModelCount, n = matrix.TextCount;
        if (columnMeans is not null && columnMeans.Length != n)
            throw new ArgumentException($"{columnMeans.Length} column means for {n} texts.", nameof(columnMeans));

        var q = new double[(long)k * n];
        Parallel.For(0, k, i =>
        {
            var row = q.AsSpan(i * n, n);
            ClipAndCentreRow(matrix.Row(i), clipThreshold, row);
        });

        if (columnMeans is null)
        {
            // Column means of the row-centred values, summed in model order so the result never depends on threads.
            columnMeans = new double[n];
            for (var i = 0; i < k; i++)
            {
                var row = q.AsSpan(i * n, n);
                for (var s = 0; s < n; s++)
                    columnMeans[s] += row[s];
            }

            for (var s = 0; s < n; s++)
                columnMeans[s] /= k;
        }

        var means = columnMeans;
        Parallel.For(0, k, i =>
        {
            var row = q.AsSpan(i * n, n);
            for (var s = 0; s < n; s++)
                row[s] -= means[s];
        });

        return new CentredLogLikelihoods(k, n, clipThreshold, q, means);
    }

    /// <summary>
    /// q for a model that was not part of the centring: clip with the stored threshold, subtract its own
    /// mean, subtract the stored column means. Distances to the existing rows are exactly what they would be
    /// after re-centring with the new model included, because column centring shifts every row alike (§1.4).
    /// </summary>
    public double[] CentreNewModel(ReadOnlySpan<double> logLikelihoods)
    {
        if (logLikelihoods.Length != TextCount)
            throw new ArgumentException(
                $"The new model has {logLikelihoods.Length} log-likelihoods but the map has {TextCount} texts; score it on the map's text set.",
                nameof(logLikelihoods));
        for (var s = 0; s < logLikelihoods.Length; s++)
        {
            if (!double.IsFinite(logLikelihoods[s]))
                throw new ArgumentException(
                    $"The new model's log-likelihood of text {s} is {logLikelihoods[s]}, not a finite number.", nameof(logLikelihoods));
        }

        var q = new double[TextCount];
        ClipAndCentreRow(logLikelihoods, ClipThreshold, q);
        for (var s = 0; s < q.Length; s++)
            q[s] -= _columnMeans[s];
        return q;
    }

    private static void ClipAndCentreRow(ReadOnlySpan<double> raw, double threshold, Span<double> row)
    {
        var sum = 0.0;
        for (var s = 0; s < raw.Length; s++)
        {
            row[s] = Math.Max(raw[s], threshold);
            sum += row[s];
        }

        var mean = sum / raw.Length;
        for (var s = 0; s < row.Length; s++)
            row[s] -= mean;
    }
}
