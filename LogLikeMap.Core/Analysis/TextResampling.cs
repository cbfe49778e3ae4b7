using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>How texts are drawn: the follow-up's length-squared rule (probability ∝ variance across models) or uniformly.</summary>
public enum TextSampling
{
    Variance,
    Uniform,
}

/// <summary>
/// A resampled text set: the distinct columns drawn (ascending), how often each was drawn and its weight
/// w_t = sqrt(c_t / (n π_t)) for n draws in all (docs/method.md §5.1, steps 2-3).
/// </summary>
public sealed record ResampledTexts(int[] Columns, int[] Counts, double[] Weights, int Draws);

/// <summary>How well a reduced text set agrees with the full one, at one size.</summary>
/// <param name="KlSpearman">Spearman's rho between the full and the reduced KL over all pairs of models.</param>
/// <param name="NeighbourOverlap">Mean over models of |k-NN(full) ∩ k-NN(reduced)| / k.</param>
public sealed record ResamplingAgreement(TextSampling Sampling, int Texts, int Draws, double KlSpearman, double NeighbourOverlap);

/// <summary>
/// "Texts that matter" (Oyama, Kishino, Yamagiwa, Shimodaira, arXiv 2505.15428; docs/method.md §5.1): draw texts with
/// replacement with probability π_s ∝ Σ_i Q_is² (K times the variance across models, <see cref="TextVariance"/>), weight
/// each distinct text by w_t = sqrt(c_t / (n π_t)), and use q̃_it = w_t (Q_{i,u_t} - Σ_t w_t² Q_{i,u_t} / Σ_t w_t²);
/// then |q̃_i - q̃_j|² estimates |q_i - q_j|² over all N texts (Hansen-Hurwitz), so KL ≈ |q̃_i - q̃_j|² / 2N from only
/// the drawn texts. Here draws go on until the requested number of distinct texts is reached (that number is what a
/// lab pays to score), so n is whatever that took.
/// </summary>
public static class TextResampling
{
    /// <summary>π over the N texts for a sampling rule.</summary>
    public static double[] Probabilities(CentredLogLikelihoods q, TextSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(q);
        if (sampling == TextSampling.Uniform)
            return [.. Enumerable.Repeat(1.0 / q.TextCount, q.TextCount)];
        var variance = TextVariance.AcrossModels(q);
        var total = variance.Sum();
        if (!(total > 0))
            throw new InvalidOperationException("Every text has the same log-likelihood under every model (up to a shift): no variance to sample by.");
        return [.. variance.Select(v => v / total)];
    }

    /// <summary>
    /// Draws texts with replacement from <paramref name="probabilities"/> (inverse CDF of numpy's 53-bit doubles from
    /// <see cref="NumpyRandomState"/>) until <paramref name="distinctTexts"/> distinct ones are drawn.
    /// </summary>
    public static ResampledTexts Draw(IReadOnlyList<double> probabilities, int distinctTexts, uint seed)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var available = probabilities.Count(p => p > 0);
        if (distinctTexts < 2 || distinctTexts > available)
            throw new ArgumentOutOfRangeException(nameof(distinctTexts), distinctTexts,
                $"Choose between 2 and {available} texts (the texts that have any variance across the models).");
        var cdf = new double[probabilities.Count];
        var sum = 0.0;
        for (var s = 0; s < cdf.Length; s++)
            cdf[s] = sum += probabilities[s];

        var random = new NumpyRandomState(seed);
        var counts = new Dictionary<int, int>();
        var draws = 0;
        var limit = 1000L * probabilities.Count;
        while (counts.Count < distinctTexts)
        {
            if (++draws > limit)
                throw new InvalidOperationException($"{distinctTexts} distinct texts were not reached in {limit} draws; ask for fewer.");
            var u = NextDouble(random) * sum;
            var s = Array.BinarySearch(cdf, u);
            s = s >= 0 ? s + 1 : ~s; // the first text whose cumulative probability exceeds u
            s = Math.Min(s, cdf.Length - 1);
            while (probabilities[s] <= 0)
                s--;
            counts[s] = counts.GetValueOrDefault(s) + 1;
        }

        var columns = counts.Keys.Order().ToArray();
        var countOf = columns.Select(c => counts[c]).ToArray();
        var weights = columns.Select((c, t) => Math.Sqrt(countOf[t] / (draws * probabilities[c]))).ToArray();
        return new ResampledTexts(columns, countOf, weights, draws);
    }

    /// <summary>q̃ for every model (K x d, row-major) from the full Q and a resampled set.</summary>
    public static double[] Coordinates(CentredLogLikelihoods q, ResampledTexts texts)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(texts);
        var d = texts.Columns.Length;
        var squaredWeights = texts.Weights.Select(w => w * w).ToArray();
        var weightTotal = squaredWeights.Sum();
        var result = new double[q.ModelCount * d];
        for (var i = 0; i < q.ModelCount; i++)
        {
            var row = q.Row(i);
            var mean = 0.0;
            for (var t = 0; t < d; t++)
                mean += squaredWeights[t] * row[texts.Columns[t]];
            mean /= weightTotal;
            for (var t = 0; t < d; t++)
                result[(i * d) + t] = texts.Weights[t] * (row[texts.Columns[t]] - mean);
        }
        return result;
    }

    /// <summary>Full and reduced KL of every pair, then rank correlation and k-NN overlap.</summary>
    public static ResamplingAgreement Agreement(CentredLogLikelihoods q, TextSampling sampling, ResampledTexts texts, int neighbours)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(texts);
        var k = q.ModelCount;
        if (neighbours < 1 || neighbours >= k)
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"Neighbours must lie between 1 and {k - 1}.");
        var reduced = Coordinates(q, texts);
        var d = texts.Columns.Length;
        var full = new double[k * k];
        var small = new double[k * k];
        Parallel.For(0, k, i =>
        {
            for (var j = 0; j < k; j++)
            {
                full[(i * k) + j] = SquaredDistances.Exact(q.Row(i), q.Row(j));
                small[(i * k) + j] = SquaredDistances.Exact(reduced.AsSpan(i * d, d), reduced.AsSpan(j * d, d));
            }
        });

        var fullPairs = new List<double>();
        var smallPairs = new List<double>();
        for (var i = 0; i < k; i++)
        {
            for (var j = i + 1; j < k; j++)
            {
                fullPairs.Add(full[(i * k) + j]);
                smallPairs.Add(small[(i * k) + j]);
            }
        }
        var overlap = Enumerable.Range(0, k).Average(i =>
            Nearest(full, k, i, neighbours).Intersect(Nearest(small, k, i, neighbours)).Count() / (double)neighbours);
        return new ResamplingAgreement(sampling, d, texts.Draws, Correlation.Spearman(fullPairs, smallPairs), overlap);
    }

    /// <summary>
    /// The agreement of both rules as the number of texts falls: N/2, N/4, ... down to <paramref name="smallest"/>
    /// (which is always included).
    /// </summary>
    public static IReadOnlyList<ResamplingAgreement> Curve(CentredLogLikelihoods q, int smallest, int neighbours, uint seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(q);
        var sizes = new List<int>();
        for (var size = q.TextCount / 2; size > smallest; size /= 2)
            sizes.Add(size);
        sizes.Add(smallest);
        var result = new List<ResamplingAgreement>();
        foreach (var sampling in new[] { TextSampling.Variance, TextSampling.Uniform })
        {
            var probabilities = Probabilities(q, sampling);
            foreach (var size in sizes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                result.Add(Agreement(q, sampling, Draw(probabilities, size, seed), neighbours));
            }
        }
        return result;
    }

    // numpy's random_sample: 27 + 26 bits of two 32-bit outputs make a double in [0, 1).
    private static double NextDouble(NumpyRandomState random)
    {
        var a = random.NextUInt32() >> 5;
        var b = random.NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    private static IEnumerable<int> Nearest(double[] distances, int k, int model, int count) =>
        Enumerable.Range(0, k).Where(j => j != model).OrderBy(j => distances[(model * k) + j]).ThenBy(j => j).Take(count);
}
