using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>A grid model's place: its mixing weights and its 2-D PCA coordinates.</summary>
public sealed record GridPoint(string Model, double Alpha, double Beta, double X, double Y);

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
        var pca = PrincipalComponents.FromGram(distances.Gram, grid.ModelCount, 2);
        var points = Enumerable.Range(0, grid.ModelCount)
            .Select(i => new GridPoint(grid.ModelNames[i], weights[i].Alpha, weights[i].Beta, pca.Score(i, 0), pca.Score(i, 1)))
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
