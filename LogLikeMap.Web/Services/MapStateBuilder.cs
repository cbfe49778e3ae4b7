using System.Text;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Builds a <see cref="MapState"/> from a log-likelihood matrix: clip, double-centre, lay out in 2-D.
/// The layout here is the first two principal coordinates of Q until the engine's t-SNE replaces it.
/// </summary>
internal static class MapStateBuilder
{
    /// <summary>The paper clips the bottom 2% of all values (paper-method.md §1.3).</summary>
    public const double ClipPercentile = 2.0;

    public static MapState Build(DemoMapFolder folder, string textSetName, int version)
    {
        ArgumentNullException.ThrowIfNull(folder);
        int k = folder.Models.Count, n = folder.Texts.Count;
        var raw = folder.LogLikelihoods;
        var q = Centre(raw, k, n, Percentile(raw, ClipPercentile));
        var (xs, ys) = PrincipalCoordinates(q, k, n);

        var domainOfText = folder.Texts.Select(t => t.Domain ?? "").ToArray();
        var domains = domainOfText.Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var points = new ModelPoint[k];
        for (var i = 0; i < k; i++)
        {
            var m = folder.Models[i];
            var mean = raw.AsSpan(i * n, n).ToArray().Average();
            points[i] = new ModelPoint(m.Name, m.Family, m.Architecture, m.Parameters, m.Created, mean,
                StrongestDomain(q.AsSpan(i * n, n), domainOfText, domains), xs[i], ys[i], Provisional: false);
        }
        var meanBytes = folder.Texts.Average(t => (double)Encoding.UTF8.GetByteCount(t.Text));
        var snapshot = new MapSnapshot(version, textSetName, n, meanBytes, points, domains, DateTimeOffset.UtcNow);
        return new MapState(snapshot, q);
    }

    /// <summary>numpy's default percentile: linear interpolation between the two nearest ranks.</summary>
    private static double Percentile(double[] values, double percent)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var position = percent / 100.0 * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>q_is = c_is - rowmean_i - colmean_s + grandmean with c = max(L, threshold) (§1.3-1.4).</summary>
    private static double[] Centre(double[] raw, int k, int n, double threshold)
    {
        var q = new double[raw.Length];
        var columnMeans = new double[n];
        for (var i = 0; i < k; i++)
        {
            var row = q.AsSpan(i * n, n);
            var sum = 0.0;
            for (var s = 0; s < n; s++)
                sum += row[s] = Math.Max(raw[(i * n) + s], threshold);
            var mean = sum / n;
            for (var s = 0; s < n; s++)
                columnMeans[s] += (row[s] -= mean) / k;
        }
        for (var i = 0; i < k; i++)
        {
            var row = q.AsSpan(i * n, n);
            for (var s = 0; s < n; s++)
                row[s] -= columnMeans[s];
        }
        return q;
    }

    /// <summary>
    /// Classical scaling: the top two eigenvectors of the Gram matrix G = Q Q^T (power iteration with
    /// deflation), scaled by the square roots of their eigenvalues.
    /// </summary>
    private static (double[] X, double[] Y) PrincipalCoordinates(double[] q, int k, int n)
    {
        var gram = new double[k * k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var dot = 0.0;
                for (var s = 0; s < n; s++)
                    dot += q[(i * n) + s] * q[(j * n) + s];
                gram[(i * k) + j] = gram[(j * k) + i] = dot;
            }
        }
        var first = TopEigenvector(gram, k, out var lambda1);
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
                gram[(i * k) + j] -= lambda1 * first[i] * first[j];
        }
        var second = TopEigenvector(gram, k, out var lambda2);
        return (first.Select(v => v * Math.Sqrt(Math.Max(lambda1, 0))).ToArray(),
                second.Select(v => v * Math.Sqrt(Math.Max(lambda2, 0))).ToArray());
    }

    private static double[] TopEigenvector(double[] matrix, int k, out double eigenvalue)
    {
        // A fixed, non-symmetric start keeps the result deterministic and off any symmetry axis.
        var v = Enumerable.Range(0, k).Select(i => 1.0 + (i % 7 * 0.1)).ToArray();
        eigenvalue = 0;
        for (var iteration = 0; iteration < 500; iteration++)
        {
            var next = new double[k];
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                    next[i] += matrix[(i * k) + j] * v[j];
            }
            var norm = Math.Sqrt(next.Sum(x => x * x));
            if (norm == 0)
                return v;
            for (var i = 0; i < k; i++)
                next[i] /= norm;
            var change = next.Zip(v, (a, b) => Math.Abs(a - b)).Max();
            (v, eigenvalue) = (next, norm);
            if (change < 1e-10)
                break;
        }
        return v;
    }

    private static string? StrongestDomain(ReadOnlySpan<double> q, string[] domainOfText, string[] domains)
    {
        if (domains.Length == 0)
            return null;
        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        for (var s = 0; s < q.Length; s++)
        {
            if (domainOfText[s].Length == 0)
                continue;
            var (sum, count) = sums.GetValueOrDefault(domainOfText[s]);
            sums[domainOfText[s]] = (sum + q[s], count + 1);
        }
        return sums.MaxBy(p => p.Value.Sum / p.Value.Count).Key;
    }
}
