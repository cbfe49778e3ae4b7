using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>
/// The Gram matrix G = X Xᵀ of feature rows (here rows of Q, N texts long): every ridge fit and prediction below needs
/// only inner products between rows, so a K x K matrix replaces the K x N features once it is built (O(K² N)).
/// </summary>
public sealed class FeatureGram
{
    private readonly double[] _values;

    private FeatureGram(int count, double[] values)
    {
        Count = count;
        _values = values;
    }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>x_i · x_j.</summary>
    public double this[int i, int j] => _values[(i * Count) + j];

    /// <summary>Inner products of <paramref name="count"/> rows of length <paramref name="length"/>.</summary>
    public static FeatureGram Of(int count, int length, ModelRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var values = new double[count * count];
        Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var a = row(i);
            if (a.Length != length)
                throw new ArgumentException($"Row {i} has {a.Length} values, expected {length}.", nameof(row));
            for (var j = 0; j <= i; j++)
                values[(i * count) + j] = VectorMath.Dot(a, row(j));
        });
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
                values[(i * count) + j] = values[(j * count) + i];
        }
        return new FeatureGram(count, values);
    }
}

/// <summary>
/// The kernel of a training set after the intercept's centring: scikit-learn's <c>Ridge(fit_intercept=True)</c>
/// subtracts the training rows' mean x̄ from every row and ȳ from y (<c>_preprocess_data</c>), so it works with
/// Kc_ij = (x_i - x̄)·(x_j - x̄) = G_ij - r_i - r_j + g, where r_i is row i's mean over the training set and g the
/// mean of r. With more texts than models it then solves the dual (<c>_solve_cholesky_kernel</c>):
/// (Kc + αI) c = y - ȳ, w = Σ c_i (x_i - x̄), intercept ȳ - x̄·w; both forms give the same w.
/// </summary>
public sealed class CentredKernel
{
    private readonly FeatureGram _gram;
    private readonly double[] _kernel;
    private readonly double[] _rowMeans;
    private readonly double _grandMean;

    public CentredKernel(FeatureGram gram, int[] train)
    {
        ArgumentNullException.ThrowIfNull(gram);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Length < 2)
            throw new ArgumentException($"A ridge fit needs at least 2 training rows, got {train.Length}.", nameof(train));
        _gram = gram;
        Train = train;
        var m = train.Length;
        _rowMeans = new double[m];
        for (var a = 0; a < m; a++)
        {
            var sum = 0.0;
            for (var b = 0; b < m; b++)
                sum += gram[train[a], train[b]];
            _rowMeans[a] = sum / m;
        }
        _grandMean = _rowMeans.Average();
        _kernel = new double[m * m];
        for (var a = 0; a < m; a++)
        {
            for (var b = 0; b < m; b++)
                _kernel[(a * m) + b] = gram[train[a], train[b]] - _rowMeans[a] - _rowMeans[b] + _grandMean;
        }
    }

    /// <summary>The training rows, by their index in the Gram matrix.</summary>
    public int[] Train { get; }

    /// <summary>Cholesky factor of Kc + αI, shared by every target fitted with this α.</summary>
    public RidgeSolver Factor(double alpha)
    {
        if (!(alpha > 0) || !double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The ridge penalty must be a positive number.");
        var m = Train.Length;
        var l = (double[])_kernel.Clone();
        for (var a = 0; a < m; a++)
            l[(a * m) + a] += alpha;
        Cholesky.FactorInPlace(l, m);
        return new RidgeSolver(this, l, alpha);
    }

    /// <summary>(x_t - x̄)·(x_i - x̄) for every training row i: the centred kernel between any row t and the training set.</summary>
    internal double[] CentredRow(int row)
    {
        var m = Train.Length;
        var k = new double[m];
        var mean = 0.0;
        for (var a = 0; a < m; a++)
        {
            k[a] = _gram[row, Train[a]];
            mean += k[a];
        }
        mean /= m;
        for (var a = 0; a < m; a++)
            k[a] += -mean - _rowMeans[a] + _grandMean;
        return k;
    }
}

/// <summary>Solves (Kc + αI) c = y - ȳ for one α and any number of targets.</summary>
public sealed class RidgeSolver
{
    private readonly CentredKernel _kernel;
    private readonly double[] _factor;

    internal RidgeSolver(CentredKernel kernel, double[] factor, double alpha)
    {
        _kernel = kernel;
        _factor = factor;
        Alpha = alpha;
    }

    public double Alpha { get; }

    /// <summary>Fits one target; <paramref name="y"/> holds the training rows' values in <see cref="CentredKernel.Train"/> order.</summary>
    public RidgeModel Fit(ReadOnlySpan<double> y)
    {
        var m = _kernel.Train.Length;
        if (y.Length != m)
            throw new ArgumentException($"The target has {y.Length} values for {m} training rows.", nameof(y));
        var mean = 0.0;
        foreach (var v in y)
            mean += v;
        mean /= m;
        var c = new double[m];
        for (var a = 0; a < m; a++)
            c[a] = y[a] - mean;
        Cholesky.SolveInPlace(_factor, m, c);
        return new RidgeModel(_kernel, c, mean, Alpha);
    }
}

/// <summary>A fitted ridge model in its dual form: ŷ(x) = Σ_i c_i (x - x̄)·(x_i - x̄) + ȳ.</summary>
public sealed class RidgeModel
{
    private readonly CentredKernel _kernel;
    private readonly double[] _dual;

    internal RidgeModel(CentredKernel kernel, double[] dual, double intercept, double alpha)
    {
        _kernel = kernel;
        _dual = dual;
        TargetMean = intercept;
        Alpha = alpha;
    }

    public double Alpha { get; }

    /// <summary>ȳ over the training rows: the prediction for a row at the training rows' mean.</summary>
    public double TargetMean { get; }

    /// <summary>The prediction for row <paramref name="row"/> of the Gram matrix (trained on or not).</summary>
    public double Predict(int row)
    {
        var k = _kernel.CentredRow(row);
        var sum = 0.0;
        for (var a = 0; a < k.Length; a++)
            sum += _dual[a] * k[a];
        return sum + TargetMean;
    }
}

/// <summary>Cholesky factorisation A = L Lᵀ of a symmetric positive definite matrix, row-major, L in the lower triangle.</summary>
internal static class Cholesky
{
    public static void FactorInPlace(double[] a, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var rowI = a.AsSpan(i * n, n);
            for (var j = 0; j <= i; j++)
            {
                var rowJ = a.AsSpan(j * n, n);
                var sum = rowI[j] - VectorMath.Dot(rowI[..j], rowJ[..j]);
                if (i == j)
                {
                    if (!(sum > 0))
                        throw new InvalidOperationException(
                            "The ridge system is not positive definite (a penalty too small for the features' scale); choose larger alphas.");
                    rowI[i] = Math.Sqrt(sum);
                }
                else
                {
                    rowI[j] = sum / rowJ[j];
                }
            }
        }
    }

    /// <summary>Solves L Lᵀ x = b in place of b.</summary>
    public static void SolveInPlace(double[] l, int n, double[] b)
    {
        for (var i = 0; i < n; i++)
            b[i] = (b[i] - VectorMath.Dot(l.AsSpan(i * n, i), b.AsSpan(0, i))) / l[(i * n) + i];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var k = i + 1; k < n; k++)
                sum -= l[(k * n) + i] * b[k];
            b[i] = sum / l[(i * n) + i];
        }
    }
}
