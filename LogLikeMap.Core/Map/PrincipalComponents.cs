namespace LogLikeMap.Core.Map;

/// <summary>
/// Principal components of Q (docs/method.md §2: sklearn's <c>init='pca'</c> is the only PCA of the map).
/// Q is column centred, so its PCA is the eigen decomposition of the Gram matrix G = Q Q^T: the scores of
/// component c are u_c sqrt(lambda_c). Only the top components are found, by subspace iteration on G.
/// </summary>
public sealed class PrincipalComponents
{
    private const int ExtraBlockVectors = 10;
    private const int MaxIterations = 500;
    private const double Tolerance = 1e-12;

    private readonly double[] _scores;

    private PrincipalComponents(int modelCount, double[] scores, double[] explainedVariance, double[] explainedVarianceRatio)
    {
        ModelCount = modelCount;
        _scores = scores;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
    }

    public int ModelCount { get; }

    public int ComponentCount => ExplainedVariance.Count;

    /// <summary>Variance along each component, lambda / (K - 1) like sklearn's <c>explained_variance_</c>.</summary>
    public IReadOnlyList<double> ExplainedVariance { get; }

    /// <summary>Share of the total variance along each component (sklearn's <c>explained_variance_ratio_</c>).</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio { get; }

    /// <summary>Model <paramref name="model"/>'s coordinate on component <paramref name="component"/> (0 = largest).</summary>
    public double Score(int model, int component) => _scores[component * ModelCount + model];

    /// <summary>
    /// The top <paramref name="components"/> principal components from G (K x K, row-major). Signs follow
    /// sklearn's <c>svd_flip</c>: each component's largest-magnitude score is positive.
    /// </summary>
    public static PrincipalComponents FromGram(ReadOnlySpan<double> gram, int modelCount, int components)
    {
        var k = modelCount;
        if (gram.Length != (long)k * k)
            throw new ArgumentException($"A Gram matrix of {k} models has {k * k} entries, not {gram.Length}.", nameof(gram));
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(components, k);

        var g = gram.ToArray();
        var trace = 0.0;
        for (var i = 0; i < k; i++)
            trace += g[i * k + i];

        var width = Math.Min(k, components + ExtraBlockVectors);
        var basis = StartingBasis(k, width);
        var product = new double[width * k];
        double[] values = [], vectors = [];
        var previous = new double[components];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            // Rayleigh-Ritz on the current orthonormal basis V: the eigenpairs of V^T G V. Ritz values converge
            // at the square of the rate of the vectors, so they decide when to stop.
            Multiply(g, k, basis, product, width);
            var projected = new double[width * width];
            for (var a = 0; a < width; a++)
            {
                for (var b = 0; b < width; b++)
                    projected[a * width + b] = Dot(basis.AsSpan(a * k, k), product.AsSpan(b * k, k));
            }

            (values, vectors) = SymmetricEigen.Jacobi(projected, width);
            var ritz = values.OrderDescending().ToArray();
            var converged = true;
            for (var c = 0; c < components; c++)
            {
                converged &= Math.Abs(ritz[c] - previous[c]) <= Tolerance * Math.Max(ritz[0], double.Epsilon);
                previous[c] = ritz[c];
            }

            if (converged)
                break;
            (basis, product) = (product, basis);
            Orthonormalise(basis, k, width);
        }

        var order = Enumerable.Range(0, width).OrderByDescending(c => values[c]).ToArray();

        var scores = new double[components * k];
        var variance = new double[components];
        var ratio = new double[components];
        for (var c = 0; c < components; c++)
        {
            var column = order[c];
            var lambda = Math.Max(0, values[column]);
            var u = scores.AsSpan(c * k, k);
            for (var b = 0; b < width; b++)
            {
                var weight = vectors[b * width + column];
                var v = basis.AsSpan(b * k, k);
                for (var i = 0; i < k; i++)
                    u[i] += weight * v[i];
            }

            var largest = 0;
            for (var i = 1; i < k; i++)
            {
                if (Math.Abs(u[i]) > Math.Abs(u[largest]))
                    largest = i;
            }

            var scale = Math.Sqrt(lambda) * (u[largest] < 0 ? -1 : 1);
            for (var i = 0; i < k; i++)
                u[i] *= scale;
            variance[c] = k > 1 ? lambda / (k - 1) : 0;
            ratio[c] = trace > 0 ? lambda / trace : 0;
        }

        return new PrincipalComponents(k, scores, variance, ratio);
    }

    /// <summary>A fixed, well-spread start (no random source, so the result depends on nothing but G).</summary>
    private static double[] StartingBasis(int k, int width)
    {
        var basis = new double[width * k];
        for (var c = 0; c < width; c++)
        {
            for (var i = 0; i < k; i++)
                basis[c * k + i] = Math.Sin((i + 1) * (c + 1) * 0.7071067811865476 + c);
        }

        Orthonormalise(basis, k, width);
        return basis;
    }

    /// <summary>target_c = G basis_c for each basis vector (stored as rows of length k).</summary>
    private static void Multiply(double[] g, int k, double[] basis, double[] target, int width)
    {
        Parallel.For(0, k, i =>
        {
            var row = g.AsSpan(i * k, k);
            for (var c = 0; c < width; c++)
                target[c * k + i] = Dot(row, basis.AsSpan(c * k, k));
        });
    }

    /// <summary>Modified Gram-Schmidt, twice for stability.</summary>
    private static void Orthonormalise(double[] basis, int k, int width)
    {
        for (var c = 0; c < width; c++)
        {
            var v = basis.AsSpan(c * k, k);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var d = 0; d < c; d++)
                {
                    var w = basis.AsSpan(d * k, k);
                    var projection = Dot(v, w);
                    for (var i = 0; i < k; i++)
                        v[i] -= projection * w[i];
                }
            }

            var norm = Math.Sqrt(Dot(v, v));
            if (norm > 0)
            {
                for (var i = 0; i < k; i++)
                    v[i] /= norm;
            }
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => VectorMath.Dot(a, b);
}
