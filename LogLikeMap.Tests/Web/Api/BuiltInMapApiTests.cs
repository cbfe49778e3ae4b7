using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Browser;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>The app on a fresh data folder seeded from the repository's built-in map (data/demo-map).</summary>
public sealed class BuiltInMapApp : IDisposable
{
    public WebAppFactory App { get; } =
        WebAppFactory.With(new Dictionary<string, string> { ["Data:DemoMapFolder"] = BuiltInMapFixture.RepositoryDemoMap });

    public void Dispose() => App.Dispose();
}

/// <summary>
/// The built-in map's first layout as the API serves it: every model at least 1.5% of the map's extent from every
/// other, so each is a point of its own on the plot (the browser test measures the same in pixels).
/// </summary>
public sealed class BuiltInMapApiTests(BuiltInMapApp builtIn) : IClassFixture<BuiltInMapApp>
{
    [Fact]
    public async Task On_a_fresh_start_every_model_of_the_built_in_map_keeps_its_distance_from_every_other()
    {
        using var client = builtIn.App.CreateClient();

        var models = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;

        var expected = File.ReadLines(Path.Combine(BuiltInMapFixture.RepositoryDemoMap, "models.jsonl")).Count(l => l.Trim().Length > 0);
        Assert.Equal(expected, models.Count);
        var extent = Math.Max(models.Max(m => m.X) - models.Min(m => m.X), models.Max(m => m.Y) - models.Min(m => m.Y));
        var closest = models.SelectMany((a, i) => models.Skip(i + 1).Select(b => Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2)))).Min();
        Assert.True(closest >= 0.015 * extent * (1 - 1e-6), $"The closest two models are {closest / extent:P2} of the map's extent apart.");
    }
}
