using System.Net.Http.Json;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// Issue 18.1 as a user meets it: each sample of data/samples, uploaded as results to the built-in map, is drawn among
/// the models its neighbour panel lists (its nearest in the full space), not apart from them.
/// </summary>
public sealed class SamplePlacementApiTests(BuiltInMapApp builtIn) : IClassFixture<BuiltInMapApp>
{
    [Theory]
    [MemberData(nameof(LogLikeMap.Tests.Map.PlacementTests.Samples), MemberType = typeof(LogLikeMap.Tests.Map.PlacementTests))]
    public async Task An_uploaded_sample_is_drawn_among_the_models_its_neighbour_panel_lists(string sample)
    {
        using var client = builtIn.App.CreateAdminClient();
        var name = $"uploaded/{sample}";

        await ResultsUploads.PlaceAsync(client, name, sample[..sample.IndexOf("-sample", StringComparison.Ordinal)], ResultsUploads.SampleScores(sample));

        var models = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        var placed = models.Single(m => m.Name == name);
        var panel = (await client.GetFromJsonAsync<NeighboursResponse>($"/api/models/{Uri.EscapeDataString(name)}/neighbours?k=20"))!;
        var listed = panel.Neighbours.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var firstListed = panel.Neighbours.Take(3).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var others = models.Where(m => m.Name != name).ToList();
        var extent = Math.Max(models.Max(m => m.X) - models.Min(m => m.X), models.Max(m => m.Y) - models.Min(m => m.Y));
        double Distance(ModelPoint m) => Math.Sqrt(((m.X - placed.X) * (m.X - placed.X)) + ((m.Y - placed.Y) * (m.Y - placed.Y)));

        var toListed = others.Where(m => firstListed.Contains(m.Name)).Min(Distance);
        Assert.True(toListed <= 0.06 * extent, $"{sample} is drawn {toListed / extent:P1} of the map's extent from the nearest of the first 3 models its panel lists.");
        // As in PlacementTests: drawn among its first few, and its 5 drawn nearest within its 20 nearest (t-SNE may
        // draw a dense lineage's checkpoints beside its fine-tunes).
        Assert.Contains(others.MinBy(Distance)!.Name, firstListed);
        Assert.All(others.OrderBy(Distance).Take(5), m => Assert.Contains(m.Name, listed));
    }
}
