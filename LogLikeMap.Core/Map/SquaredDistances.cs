using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LogLikeMap.Core.Map;

/// <summary>A model and its squared distance |q_i - q_j|^2 in the full N-dimensional space.</summary>
public readonly record struct ModelDistance(int Model, double SquaredDistance);

/// <summary>
/// Squared Euclidean distances between the rows of Q in the full N-dimensional space (never the 2-D layout).
/// The Gram matrix G = Q Q^T is computed once (blocked, SIMD, parallel) and gives every distance as
/// |q_i|^2 + |q_j|^2 - 2 g_ij. That form loses digits to cancellation when two models are close, so the
/// neighbours it returns are re-measured as an exact sum of squared differences, with a rounding bound that
/// proves no model outside the re-measured candidates could be nearer.
/// </summary>
public sealed class SquaredDistances
{
    // A j-tile of rows is reused from L1 by all i-tiles of one row block, whose text slices stay in L2.
    private const int RowBlock = 32;
    private const int TextBlock = 1024;

    // Candidates re-measured beyond the k asked for; the rounding bound decides whether they suffice.
    private const int ExtraCandidates = 8;

    // u = 2^-53, the unit roundoff of double.
    private const double UnitRoundoff = 1.1102230246251565e-16;

    private readonly double[] _q;
    private readonly double[] _gram;

    private SquaredDistances(double[] q, int modelCount, int textCount, double[] gram)
    {
        _q = q;
        ModelCount = modelCount;
        TextCount = textCount;
        _gram = gram;
    }

    public int ModelCount { get; }

    public int TextCount { get; }

    /// <summary>G = Q Q^T (K x K, row-major): PCA of the column-centred Q is the eigen decomposition of G.</summary>
    public ReadOnlySpan<double> Gram => _gram;

    /// <summary>Computes G for the rows of <paramref name="coordinates"/>.</summary>
    public static SquaredDistances Build(CentredLogLikelihoods coordinates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        var q = coordinates.Storage;
        return new SquaredDistances(q, coordinates.ModelCount, coordinates.TextCount,
            ComputeGram(q, coordinates.ModelCount, coordinates.TextCount, cancellationToken));
    }

    /// <summary>|q_i - q_j|^2 from the Gram matrix: fast, but only good to about 1e-12 of |q_i|^2 + |q_j|^2.</summary>
    public double Approximate(int i, int j)
    {
        var k = ModelCount;
        return Math.Max(0, _gram[i * k + i] + _gram[j * k + j] - 2 * _gram[i * k + j]);
    }

    /// <summary>|q_i - q_j|^2 summed exactly from the differences (no cancellation).</summary>
    public double Exact(int i, int j) => Exact(Row(i), Row(j));

    /// <summary>Sum of squared differences of two equally long vectors.</summary>
    public static double Exact(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Vectors of lengths {a.Length} and {b.Length} have no distance.", nameof(b));
        return VectorMath.SquaredDistance(a, b);
    }

    /// <summary>
    /// The <paramref name="count"/> models nearest to model <paramref name="model"/> (itself excluded), nearest
    /// first, with exact squared distances. Exact in the sense that a brute-force scan with exact sums would
    /// return the same models in the same order (ties broken by model index).
    /// </summary>
    public ModelDistance[] Nearest(int model, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(model);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(model, ModelCount);
        count = Math.Min(count, ModelCount - 1);
        if (count <= 0)
            return [];

        var k = ModelCount;
        var approximate = new double[k];
        for (var j = 0; j < k; j++)
            approximate[j] = j == model ? double.PositiveInfinity : Approximate(model, j);

        var candidates = Smallest(approximate, Math.Min(count + ExtraCandidates, k - 1));
        var measured = candidates.Select(j => new ModelDistance(j, Exact(model, j))).ToArray();
        Sort(measured);
        var kth = measured[count - 1].SquaredDistance;

        // Rounding bound of a length-N dot product: |error| <= N u sum|a_s b_s| <= N u |a||b| (Higham, ch. 3),
        // so the Gram distance is within 2 (N + 2) u (|q_i|^2 + |q_j|^2) of the exact one.
        var bound = 2.0 * (TextCount + 2) * UnitRoundoff;
        var isCandidate = new bool[k];
        foreach (var j in candidates)
            isCandidate[j] = true;
        var certain = true;
        for (var j = 0; j < k && certain; j++)
        {
            if (j == model || isCandidate[j])
                continue;
            var lowest = approximate[j] - bound * (_gram[model * k + model] + _gram[j * k + j]);
            certain = lowest > kth;
        }

        if (!certain)
        {
            measured = new ModelDistance[k - 1];
            for (int j = 0, m = 0; j < k; j++)
            {
                if (j != model)
                    measured[m++] = new ModelDistance(j, Exact(model, j));
            }

            Sort(measured);
        }

        return measured[..count];
    }

    /// <summary>
    /// The <paramref name="count"/> models nearest to a vector that is not a row of Q (a new model's q), nearest
    /// first, with exact squared distances (one exact pass over all K rows).
    /// </summary>
    public ModelDistance[] Nearest(ReadOnlySpan<double> q, int count)
    {
        if (q.Length != TextCount)
            throw new ArgumentException($"A vector of {q.Length} values has no distance to rows of {TextCount} texts.", nameof(q));
        var all = new ModelDistance[ModelCount];
        for (var j = 0; j < ModelCount; j++)
            all[j] = new ModelDistance(j, Exact(q, Row(j)));
        Sort(all);
        return all[..Math.Min(count, ModelCount)];
    }

    /// <summary>
    /// The <paramref name="count"/> nearest models by the Gram-matrix distances, unsorted by exactness: good
    /// enough where 1e-12 relative does not matter (the t-SNE affinities).
    /// </summary>
    public ModelDistance[] NearestApproximately(int model, int count)
    {
        var k = ModelCount;
        count = Math.Min(count, k - 1);
        var approximate = new double[k];
        for (var j = 0; j < k; j++)
            approximate[j] = j == model ? double.PositiveInfinity : Approximate(model, j);
        return Smallest(approximate, count).Select(j => new ModelDistance(j, approximate[j])).ToArray();
    }

    private ReadOnlySpan<double> Row(int model) => _q.AsSpan(model * TextCount, TextCount);

    /// <summary>Indices of the <paramref name="count"/> smallest keys, smallest first (ties by index).</summary>
    private static int[] Smallest(double[] keys, int count)
    {
        var best = new int[count];
        var size = 0;
        for (var j = 0; j < keys.Length; j++)
        {
            var key = keys[j];
            if (size == count && !(key < keys[best[size - 1]]))
                continue;
            var at = size == count ? size - 1 : size++;
            while (at > 0 && keys[best[at - 1]] > key)
            {
                best[at] = best[at - 1];
                at--;
            }

            best[at] = j;
        }

        return best[..size];
    }

    private static void Sort(ModelDistance[] distances) =>
        Array.Sort(distances, static (a, b) =>
            a.SquaredDistance != b.SquaredDistance ? a.SquaredDistance.CompareTo(b.SquaredDistance) : a.Model.CompareTo(b.Model));

    private static double[] ComputeGram(double[] q, int k, int n, CancellationToken cancellationToken)
    {
        var gram = new double[(long)k * k];
        var blocks = (k + RowBlock - 1) / RowBlock;
        var options = new ParallelOptions { CancellationToken = cancellationToken };

        // Each row block owns rows i0..i1 of G for columns j >= i0, so threads never write the same entry.
        Parallel.For(0, blocks, options, block =>
        {
            int i0 = block * RowBlock, i1 = Math.Min(k, i0 + RowBlock);
            for (var s0 = 0; s0 < n; s0 += TextBlock)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var s1 = Math.Min(n, s0 + TextBlock);
                for (var j = i0; j < k; j += 2)
                {
                    var jCount = Math.Min(2, k - j);
                    for (var i = i0; i < i1; i += 4)
                    {
                        var iCount = Math.Min(4, i1 - i);
                        if (iCount == 4 && jCount == 2)
                            AddDots4x2(q, n, i, j, s0, s1, gram, k);
                        else
                            AddDotsEdge(q, n, i, iCount, j, jCount, s0, s1, gram, k);
                    }
                }
            }
        });

        // Mirror: entry (i, j) with i < j was computed by i's block.
        for (var i = 0; i < k; i++)
        {
            for (var j = i + 1; j < k; j++)
                gram[(long)j * k + i] = gram[(long)i * k + j];
        }

        return gram;
    }

    /// <summary>Adds q_a . q_b over texts s0..s1 for 4 rows a and 2 rows b: 8 running SIMD sums, 6 loads per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddDots4x2(double[] q, int n, int i, int j, int s0, int s1, double[] gram, int k)
    {
        ref var a0 = ref q[(long)i * n];
        ref var a1 = ref q[(long)(i + 1) * n];
        ref var a2 = ref q[(long)(i + 2) * n];
        ref var a3 = ref q[(long)(i + 3) * n];
        ref var b0 = ref q[(long)j * n];
        ref var b1 = ref q[(long)(j + 1) * n];
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        var s = s0;
        for (; s + 4 <= s1; s += 4)
        {
            var at = (nuint)s;
            var x0 = Vector256.LoadUnsafe(ref b0, at);
            var x1 = Vector256.LoadUnsafe(ref b1, at);
            var y = Vector256.LoadUnsafe(ref a0, at);
            c00 = Vector256.FusedMultiplyAdd(y, x0, c00);
            c01 = Vector256.FusedMultiplyAdd(y, x1, c01);
            y = Vector256.LoadUnsafe(ref a1, at);
            c10 = Vector256.FusedMultiplyAdd(y, x0, c10);
            c11 = Vector256.FusedMultiplyAdd(y, x1, c11);
            y = Vector256.LoadUnsafe(ref a2, at);
            c20 = Vector256.FusedMultiplyAdd(y, x0, c20);
            c21 = Vector256.FusedMultiplyAdd(y, x1, c21);
            y = Vector256.LoadUnsafe(ref a3, at);
            c30 = Vector256.FusedMultiplyAdd(y, x0, c30);
            c31 = Vector256.FusedMultiplyAdd(y, x1, c31);
        }

        double d00 = Vector256.Sum(c00), d01 = Vector256.Sum(c01), d10 = Vector256.Sum(c10), d11 = Vector256.Sum(c11);
        double d20 = Vector256.Sum(c20), d21 = Vector256.Sum(c21), d30 = Vector256.Sum(c30), d31 = Vector256.Sum(c31);
        for (; s < s1; s++)
        {
            double x0 = Unsafe.Add(ref b0, s), x1 = Unsafe.Add(ref b1, s);
            double y0 = Unsafe.Add(ref a0, s), y1 = Unsafe.Add(ref a1, s), y2 = Unsafe.Add(ref a2, s), y3 = Unsafe.Add(ref a3, s);
            d00 += y0 * x0; d01 += y0 * x1; d10 += y1 * x0; d11 += y1 * x1;
            d20 += y2 * x0; d21 += y2 * x1; d30 += y3 * x0; d31 += y3 * x1;
        }

        gram[(long)i * k + j] += d00; gram[(long)i * k + j + 1] += d01;
        gram[(long)(i + 1) * k + j] += d10; gram[(long)(i + 1) * k + j + 1] += d11;
        gram[(long)(i + 2) * k + j] += d20; gram[(long)(i + 2) * k + j + 1] += d21;
        gram[(long)(i + 3) * k + j] += d30; gram[(long)(i + 3) * k + j + 1] += d31;
    }

    private static void AddDotsEdge(double[] q, int n, int i, int iCount, int j, int jCount, int s0, int s1, double[] gram, int k)
    {
        for (var a = i; a < i + iCount; a++)
        {
            for (var b = j; b < j + jCount; b++)
            {
                var rowA = q.AsSpan(a * n + s0, s1 - s0);
                var rowB = q.AsSpan(b * n + s0, s1 - s0);
                gram[(long)a * k + b] += VectorMath.Dot(rowA, rowB);
            }
        }
    }
}
