using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>A KL estimate in nats per text with a bootstrap interval (lower, upper) at <paramref name="Level"/>.</summary>
public sealed record KlInterval(double KlNats, double LowerNats, double UpperNats, double Level, int Resamples);

/// <summary>
/// How sure the KL between two models is, given that the N texts are a sample (docs/method.md §1.5: 2 KL ≈
/// Var_{x~p0}(ℓ_i(x) - ℓ_j(x)), estimated by the variance over the texts). The bootstrap redraws the N texts with
/// replacement, recomputes half the variance (ddof 0) of d_s = q_is - q_js on each redraw, and takes the percentile
/// interval. The draws are numpy's <c>RandomState(seed).randint(0, N, size=(B, N))</c> (the same masked-rejection
/// integers as <see cref="NumpyRandomState.RandomInterval"/>), so bench/kl_bootstrap_reference.py reproduces every
/// number; a fixed seed gives a pair the same interval on every request.
/// </summary>
public static class KlBootstrap
{
    public const int DefaultResamples = 200;

    public static KlInterval Interval(
        ReadOnlySpan<double> qi,
        ReadOnlySpan<double> qj,
        int resamples = DefaultResamples,
        double level = 0.95,
        uint seed = 0)
    {
        if (qi.Length != qj.Length || qi.Length < 2)
            throw new ArgumentException($"Two models' rows must have the same length, at least 2 texts (got {qi.Length} and {qj.Length}).");
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 2);
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "The interval level must lie strictly between 0 and 1.");
        var n = qi.Length;
        var d = new double[n];
        for (var s = 0; s < n; s++)
            d[s] = qi[s] - qj[s];
        var estimate = HalfVariance(d, null);

        var random = new NumpyRandomState(seed);
        var draws = new int[n];
        var replicates = new double[resamples];
        for (var b = 0; b < resamples; b++)
        {
            for (var s = 0; s < n; s++)
                draws[s] = (int)random.RandomInterval((uint)(n - 1));
            replicates[b] = HalfVariance(d, draws);
        }
        var tail = (1 - level) / 2 * 100;
        return new KlInterval(estimate, Percentile.Of(replicates, tail), Percentile.Of(replicates, 100 - tail), level, resamples);
    }

    /// <summary>Var(d) / 2 over the texts (or over the drawn texts, repeats counted), mean first, then squared deviations.</summary>
    private static double HalfVariance(double[] d, int[]? draws)
    {
        var count = draws?.Length ?? d.Length;
        var sum = 0.0;
        for (var s = 0; s < count; s++)
            sum += d[draws is null ? s : draws[s]];
        var mean = sum / count;
        var squares = 0.0;
        for (var s = 0; s < count; s++)
        {
            var x = d[draws is null ? s : draws[s]] - mean;
            squares += x * x;
        }
        return squares / count / 2;
    }
}
