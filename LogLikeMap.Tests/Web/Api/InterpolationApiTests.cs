using System.Net.Http.Json;
using LogLikeMap.Lab.Zoo;
using LogLikeMap.Web.Analysis;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// The built-in map's interpolation grid as the API serves it: the recipe's 36 models at their (a, b), the corners being
/// the base and its two fine-tunes, and a linear image as the paper found (docs/method.md §3.6).
/// </summary>
public sealed class InterpolationApiTests(BuiltInMapApp builtIn) : IClassFixture<BuiltInMapApp>
{
    [Fact]
    public async Task The_built_in_map_has_the_recipes_grid_with_every_model_at_its_weights()
    {
        using var client = builtIn.App.CreateClient();

        var response = (await client.GetFromJsonAsync<InterpolationResponse>("/api/analysis/interpolation"))!;

        var grid = Assert.Single(response.Grids);
        Assert.Equal(ZooRecipe.GridBase, grid.Base);
        Assert.Equal((ZooRecipe.GridModel(1, 0), ZooRecipe.GridModel(0, 1)), (grid.First, grid.Second));
        var expected = ZooRecipe.GridSteps.SelectMany(a => ZooRecipe.GridSteps.Select(b => (ZooRecipe.GridModel(a, b), a, b))).ToHashSet();
        Assert.Equal(expected, grid.Points.Select(p => (p.Model, p.Alpha, p.Beta)).ToHashSet());
        Assert.InRange(grid.RSquared, 0.9, 1);
    }
}
