namespace LogLikeMap.Core.Map;

/// <summary>
/// numpy's <c>np.percentile(a, p)</c> with its default "linear" method, reproduced operation by operation
/// so the clip threshold of docs/method.md §1.3 is bit-for-bit the one the authors' code computes.
/// </summary>
public static class Percentile
{
    /// <summary>
    /// The <paramref name="percent"/>-th percentile (0..100) of <paramref name="values"/>, interpolating linearly
    /// between the two nearest order statistics like numpy 1.22+ (method="linear", alpha = beta = 1).
    /// Runs in linear time on a copy; the input is not changed.
    /// </summary>
    public static double Of(ReadOnlySpan<double> values, double percent)
    {
        if (values.IsEmpty)
            throw new ArgumentException("The percentile of an empty set is undefined.", nameof(values));
        if (!(percent >= 0 && percent <= 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile must lie between 0 and 100.");

        // numpy: q = p / 100; virtual_index = n*q + (alpha + q*(1 - alpha - beta)) - 1 with alpha = beta = 1.
        var n = values.Length;
        var q = percent / 100;
        var virtualIndex = n * q + (1 + q * (1 - 1 - 1)) - 1;
        var below = Math.Floor(virtualIndex);
        var gamma = virtualIndex - below;
        var lowerIndex = (int)Math.Clamp(below, 0, n - 1);
        var upperIndex = Math.Min(lowerIndex + 1, n - 1);

        var copy = values.ToArray();
        var lower = Select(copy, lowerIndex);
        // After selection every element right of lowerIndex is >= it, so the next order statistic is their minimum.
        var upper = lower;
        if (upperIndex > lowerIndex)
        {
            upper = copy[lowerIndex + 1];
            for (var i = lowerIndex + 2; i < n; i++)
                upper = Math.Min(upper, copy[i]);
        }

        return Lerp(lower, upper, gamma);
    }

    /// <summary>numpy's <c>_lerp</c>: a + (b - a) t, but b - (b - a)(1 - t) when t >= 0.5 (exact at t = 1).</summary>
    private static double Lerp(double a, double b, double t)
    {
        var diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /// <summary>Quickselect (Hoare partition, median of three): afterwards values[k] is the k-th smallest.</summary>
    private static double Select(double[] values, int k)
    {
        var left = 0;
        var right = values.Length - 1;
        while (right > left)
        {
            var mid = left + (right - left) / 2;
            var pivot = MedianOfThree(values[left], values[mid], values[right]);
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return values[k];
        }

        return values[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
