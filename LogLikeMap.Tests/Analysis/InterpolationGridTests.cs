using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Analysis;

/// <summary>The interpolation grid's linearity (docs/method.md §3.6) against cases whose answer is known in closed form.</summary>
public sealed class InterpolationGridTests
{
    [Fact]
    public void The_plane_fit_of_a_2x2_design_matches_the_hand_computed_sums_of_squares()
    {
        // y = 1, 3, 2, 5 at (a, b) = (0,0), (1,0), (0,1), (1,1): the least-squares plane is 0.75 + 2.5 a + 1.5 b
        // (a's effect = mean at a=1 minus mean at a=0 in a balanced design), residuals ±0.25, so SSres = 0.25;
        // the mean is 2.75, so SStot = 1.75² + 0.25² + 0.75² + 2.25² = 8.75.
        GridPoint[] points = [new("p", 0, 0, 1, 0), new("q", 1, 0, 3, 0), new("r", 0, 1, 2, 0), new("s", 1, 1, 5, 0)];

        var (residual, total) = InterpolationGrid.PlaneFit(points, p => p.X);

        Assert.Equal(0.25, residual, 12);
        Assert.Equal(8.75, total, 12);
    }

    [Fact]
    public void Log_likelihoods_affine_in_the_weights_give_a_PCA_image_that_is_exactly_affine()
    {
        // L(a, b) = L0 + a u + b w + c(a, b) (a per-model constant, which row centring removes): Q spans two
        // directions only, so its first two principal components are an affine function of (a, b): R² = 1.
        var steps = new[] { 0, 0.2, 0.4, 0.6, 0.8, 1 };
        var weights = steps.SelectMany(a => steps.Select(b => (a, b))).ToList();
        const int texts = 50;
        var random = new Random(3);
        double[] l0 = [.. Enumerable.Range(0, texts).Select(_ => -300 - (100 * random.NextDouble()))];
        double[] u = [.. Enumerable.Range(0, texts).Select(_ => 10 * random.NextDouble())];
        double[] w = [.. Enumerable.Range(0, texts).Select(_ => -10 * random.NextDouble())];
        var values = weights.SelectMany(p => Enumerable.Range(0, texts).Select(s => l0[s] + (p.a * u[s]) + (p.b * w[s]) + (7 * p.a * p.b))).ToArray();
        var grid = new LogLikelihoodMatrix([.. weights.Select((p, i) => $"m{i}")], texts, values);

        var fit = InterpolationGrid.Fit(grid, weights, clipPercentile: 0, CancellationToken.None);

        Assert.Equal(36, fit.Points.Count);
        Assert.Equal(1.0, fit.RSquared, 9);
        Assert.Equal(1.0, fit.RSquaredX, 9);
        Assert.Equal(1.0, fit.RSquaredY, 9);
    }

    [Fact]
    public void A_curved_image_fits_worse_than_a_flat_one()
    {
        // Adding a b² direction bends the grid: the plane no longer explains the PCA coordinates exactly.
        var steps = new[] { 0, 0.2, 0.4, 0.6, 0.8, 1 };
        var weights = steps.SelectMany(a => steps.Select(b => (a, b))).ToList();
        double[] Row((double a, double b) p) => [p.a, p.b * p.b * 3, -p.a + (p.b * p.b * 3), 0];
        var grid = new LogLikelihoodMatrix([.. weights.Select((p, i) => $"m{i}")], 4, [.. weights.SelectMany(Row)]);

        var fit = InterpolationGrid.Fit(grid, weights, clipPercentile: 0, CancellationToken.None);

        Assert.InRange(fit.RSquared, 0.5, 0.999);
    }

    [Fact]
    public void The_grid_fitted_from_a_whole_maps_Q_equals_the_grid_fitted_on_its_own()
    {
        // Double centring is linear: re-centring the columns of the grid's rows of a bigger map's Q over the grid leaves
        // exactly the grid's own double-centred matrix (without clipping, percentile 0), so PCA and fits must agree.
        var random = new Random(5);
        const int texts = 40;
        var steps = new[] { 0, 0.5, 1 };
        var weights = steps.SelectMany(a => steps.Select(b => (a, b))).ToList();
        double[] Random(double scale) => [.. Enumerable.Range(0, texts).Select(_ => scale * random.NextDouble())];
        var (l0, u, w) = (Random(-300), Random(10), Random(-10));
        var gridRows = weights.Select(p => Enumerable.Range(0, texts).Select(s => l0[s] + (p.a * u[s]) + (p.b * w[s]) + (4 * p.a * p.a * u[s] * w[s] / 100)).ToArray()).ToList();
        var others = Enumerable.Range(0, 7).Select(_ => Random(-400)).ToList();
        var whole = new LogLikelihoodMatrix([.. gridRows.Select((_, i) => $"g{i}"), .. others.Select((_, i) => $"o{i}")], texts, [.. gridRows.Concat(others).SelectMany(r => r)]);
        var mapQ = CentredLogLikelihoods.FromMatrix(whole, 0);
        var grid = new LogLikelihoodMatrix([.. gridRows.Select((_, i) => $"g{i}")], texts, [.. gridRows.SelectMany(r => r)]);

        var own = InterpolationGrid.Fit(grid, weights, clipPercentile: 0, CancellationToken.None);
        var fromMap = InterpolationGrid.FitMapRows([.. grid.ModelNames], [.. Enumerable.Range(0, grid.ModelCount).Select(i => mapQ.Row(i).ToArray())], weights);

        Assert.Equal(own.RSquared, fromMap.RSquared, 10);
        Assert.Equal(own.RSquaredX, fromMap.RSquaredX, 10);
        Assert.Equal(own.RSquaredY, fromMap.RSquaredY, 10);
        for (var i = 0; i < own.Points.Count; i++)
        {
            Assert.Equal(own.Points[i].X, fromMap.Points[i].X, 8);
            Assert.Equal(own.Points[i].Y, fromMap.Points[i].Y, 8);
        }
        Assert.True(own.RSquared < 1 - 1e-6, "The curved term should keep the fit below 1, or the test would not tell the two apart.");
    }
}
