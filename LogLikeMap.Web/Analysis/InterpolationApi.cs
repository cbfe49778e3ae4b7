using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogLikeMap.Web.Analysis;

/// <summary>The paper's weight-interpolation grids (docs/method.md §3.6) of the models on the map, in PCA coordinates.</summary>
public static class InterpolationApi
{
    public static IEndpointRouteBuilder MapInterpolationApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGroup("/api/analysis").WithTags("Analysis").MapGet("/interpolation", GetGrids)
            .WithSummary("Each weight-interpolation grid on the map (models W = (1 - a - b) W0 + a W1 + b W2, with W0, W1, W2 themselves at (0, 0), (1, 0), (0, 1)): every model's 2-D PCA coordinates over the grid and the R^2 of fitting them linearly from (a, b).");
        return app;
    }

    public static Ok<InterpolationResponse> GetGrids(ModelMapService map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return TypedResults.Ok(new InterpolationResponse(Grids(map.State)));
    }

    /// <summary>
    /// The grids of <paramref name="state"/>: the models whose cards place them on a grid, grouped by (W0, W1, W2), with
    /// W0, W1 and W2 added at their corners where they are on the map. A grid of fewer than four models, or whose
    /// (a, b) lie on a line, has no plane to fit and is left out.
    /// </summary>
    internal static IReadOnlyList<InterpolationGridView> Grids(MapState state)
    {
        var models = state.Snapshot.Models;
        var indexOf = models.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var grids = new List<InterpolationGridView>();
        foreach (var group in models.Where(m => m.Grid is not null).GroupBy(m => (m.Grid!.Base, m.Grid.First, m.Grid.Second)))
        {
            var members = group.Select(m => (m.Name, m.Grid!.Alpha, m.Grid.Beta)).ToList();
            foreach (var (corner, alpha, beta) in new[] { (group.Key.Base, 0.0, 0.0), (group.Key.First, 1.0, 0.0), (group.Key.Second, 0.0, 1.0) })
            {
                if (indexOf.ContainsKey(corner) && !members.Any(m => m.Name == corner))
                    members.Add((corner, alpha, beta));
            }
            var weights = members.Select(m => (m.Alpha, m.Beta)).ToList();
            if (members.Count < 4 || Collinear(weights))
                continue;
            var fit = InterpolationGrid.FitMapRows(
                [.. members.Select(m => m.Name)], [.. members.Select(m => state.Q(indexOf[m.Name]).ToArray())], weights);
            grids.Add(new InterpolationGridView(group.Key.Base, group.Key.First, group.Key.Second, fit.Points, fit.RSquared, fit.RSquaredX, fit.RSquaredY));
        }
        return grids;
    }

    /// <summary>Whether every (a, b) lies on one line, where no plane is determined.</summary>
    private static bool Collinear(IReadOnlyList<(double Alpha, double Beta)> weights)
    {
        var (a0, b0) = weights[0];
        var far = weights.MaxBy(w => Math.Abs(w.Alpha - a0) + Math.Abs(w.Beta - b0));
        return weights.All(w => Math.Abs(((far.Alpha - a0) * (w.Beta - b0)) - ((far.Beta - b0) * (w.Alpha - a0))) < 1e-12);
    }
}

/// <summary>One grid: its base W0 and fine-tunes W1, W2, each model's (a, b) and PCA coordinates, and the plane fits' R².</summary>
public sealed record InterpolationGridView(
    string Base, string First, string Second, IReadOnlyList<GridPoint> Points, double RSquared, double RSquaredX, double RSquaredY);

public sealed record InterpolationResponse(IReadOnlyList<InterpolationGridView> Grids);
