using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>A grid model's place: its mixing weights and its 2-D PCA coordinates.</summary>
public sealed record GridPoint(string Model, double Alpha, double Beta, double X, double Y);

/// <summary>
/// A model of an interpolation grid: W = (1 − α − β) W0 + α W1 + β W2 of a base W0 and two of its fine-tunes W1, W2
/// (the zoo's cards: <c>sources</c> [W0, W1, W2], <c>grid_a</c> α, <c>grid_b</c> β).
/// </summary>
public sealed record GridWeights(string Base, string First, string Second, double Alpha, double Beta);

/// <summary>
/// How linear the interpolation grid's image is: R² of each PCA coordinate fitted by least squares as
/// c0 + c1 α + c2 β, and of both together (1 − residual sum of squares / total sum of squares over x and y).
/// </summary>
public sealed record GridFit(IReadOnlyList<GridPoint> Points, double RSquaredX, double RSquaredY, double RSquared);

/// <summary>
/// The paper's weight-interpolation check (docs/method.md §3.6): models W = (1 − α − β) W0 + α W1 + β W2 keep a linear
/// structure in log-likelihood space, so a 2-D PCA of their clipped, double-centred log-likelihoods is close to an
/// affine image of the (α, β) grid.
/// </summary>
public static class InterpolationGrid
{
    /// <param name="grid">The grid models' log-likelihoods (only them: the PCA and the centring are over the grid).</param>
    /// <param name="weights">(α, β) of each row of <paramref name="grid"/>.</param>
    public static GridFit Fit(LogLikelihoodMatrix grid, IReadOnlyList<(double Alpha, double Beta)> weights, double clipPercentile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != grid.ModelCount)
            throw new ArgumentException($"{grid.ModelCount} grid models but {weights.Count} (alpha, beta) pairs.", nameof(weights));
        if (grid.ModelCount < 4)
            throw new ArgumentException($"A plane through {grid.ModelCount} points fits exactly; give at least 4 grid models.", nameof(grid));
        var q = CentredLogLikelihoods.FromMatrix(grid, clipPercentile);
        var distances = SquaredDistances.Build(q, cancellationToken);
        return FitPca(grid.ModelNames, distances.Gram, weights);
    }

    /// <summary>
    /// The same fit from the grid models' rows of a whole map's Q (clipped at the map's threshold and double-centred over
    /// all its models), as the web app holds them. Centring those rows' columns again over the grid alone gives exactly
    /// the grid's own double-centred matrix (the row terms cancel), so this equals <see cref="Fit"/> but for the clip
    /// threshold, which is the map's.
    /// </summary>
    /// <param name="models">The grid models' names.</param>
    /// <param name="q">Each grid model's row of the map's Q, all of one length (the map's texts).</param>
    /// <param name="weights">(α, β) of each model.</param>
    public static GridFit FitMapRows(IReadOnlyList<string> models, IReadOnlyList<double[]> q, IReadOnlyList<(double Alpha, double Beta)> weights)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(weights);
        if (q.Count != models.Count || weights.Count != models.Count)
            throw new ArgumentException($"{models.Count} grid models but {q.Count} rows of Q and {weights.Count} (alpha, beta) pairs.", nameof(q));
        if (models.Count < 4)
            throw new ArgumentException($"A plane through {models.Count} points fits exactly; give at least 4 grid models.", nameof(models));
        var texts = q[0].Length;
        if (q.Any(row => row.Length != texts))
            throw new ArgumentException("The rows of Q are of different lengths; they must be one map's.", nameof(q));
        var centred = q.Select(row => row.ToArray()).ToList();
        for (var t = 0; t < texts; t++)
        {
            var mean = centred.Average(row => row[t]);
            foreach (var row in centred)
                row[t] -= mean;
        }
        var k = models.Count;
        var gram = new double[k * k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j <= i; j++)
                gram[(i * k) + j] = gram[(j * k) + i] = Dot(centred[i], centred[j]);
        }
        return FitPca(models, gram, weights);
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var t = 0; t < a.Length; t++)
            sum += a[t] * b[t];
        return sum;
    }

    /// <summary>2-D PCA from the grid's Gram matrix of column-centred rows, and the plane fits of both coordinates.</summary>
    private static GridFit FitPca(IReadOnlyList<string> models, ReadOnlySpan<double> gram, IReadOnlyList<(double Alpha, double Beta)> weights)
    {
        var pca = PrincipalComponents.FromGram(gram, models.Count, 2);
        var points = Enumerable.Range(0, models.Count)
            .Select(i => new GridPoint(models[i], weights[i].Alpha, weights[i].Beta, pca.Score(i, 0), pca.Score(i, 1)))
            .ToList();
        var (residualX, totalX) = PlaneFit(points, p => p.X);
        var (residualY, totalY) = PlaneFit(points, p => p.Y);
        return new GridFit(points, 1 - (residualX / totalX), 1 - (residualY / totalY), 1 - ((residualX + residualY) / (totalX + totalY)));
    }

    /// <summary>Residual and total sums of squares of the least-squares fit y ≈ c0 + c1 α + c2 β (normal equations).</summary>
    internal static (double Residual, double Total) PlaneFit(IReadOnlyList<GridPoint> points, Func<GridPoint, double> value)
    {
        var a = new double[3, 4];
        foreach (var p in points)
        {
            double[] row = [1, p.Alpha, p.Beta];
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                    a[r, c] += row[r] * row[c];
                a[r, 3] += row[r] * value(p);
            }
        }
        // Gauss-Jordan elimination with partial pivoting on the 3 x 3 system.
        for (var col = 0; col < 3; col++)
        {
            var pivot = Enumerable.Range(col, 3 - col).MaxBy(r => Math.Abs(a[r, col]));
            if (Math.Abs(a[pivot, col]) < 1e-12)
                throw new ArgumentException("The (alpha, beta) pairs lie on a line; a plane cannot be fitted.", nameof(points));
            for (var c = 0; c < 4; c++)
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (var r = 0; r < 3; r++)
            {
                if (r == col)
                    continue;
                var factor = a[r, col] / a[col, col];
                for (var c = col; c < 4; c++)
                    a[r, c] -= factor * a[col, c];
            }
        }
        var mean = points.Average(value);
        double residual = 0, total = 0;
        foreach (var p in points)
        {
            var fitted = (a[0, 3] / a[0, 0]) + (a[1, 3] / a[1, 1] * p.Alpha) + (a[2, 3] / a[2, 2] * p.Beta);
            residual += Math.Pow(value(p) - fitted, 2);
            total += Math.Pow(value(p) - mean, 2);
        }
        return (residual, total);
    }
}
