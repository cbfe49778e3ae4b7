using Bunit;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Components.Shared;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogLikeMap.Tests.Web.Components;

public sealed class NeighbourIntervalTests : ComponentTestContext
{
    [Fact]
    public async Task Each_neighbour_shows_the_bootstrap_interval_of_its_KL_under_it()
    {
        const int texts = 25;
        var random = new Random(9);
        string[] names = ["me", "near", "far"];
        var raw = names.Select(_ => Enumerable.Range(0, texts).Select(_ => -30 - 10 * random.NextDouble()).ToArray()).ToArray();
        var state = LogLikeMap.Tests.Web.Api.TestMapStates.Redrawn(names, raw, [.. names.Select((_, i) => new MapPoint(i, i))], withNeighbours: true);
        var map = new ModelMapService(NullLogger<ModelMapService>.Instance);
        await map.PublishAsync(state);
        Context.Services.AddSingleton(new KlIntervals(map));
        Assert.True(map.TryGetNeighbours("me", 2, out var neighbours));

        var panel = Context.Render<NeighbourPanel>(p => p
            .Add(c => c.Model, state.Snapshot.Models[0])
            .Add(c => c.Neighbours, neighbours)
            .Add(c => c.K, 2)
            .Add(c => c.LinkTo, name => name));

        var shown = panel.FindAll("[data-testid=kl-interval]").Select(e => e.TextContent).ToList();
        Assert.Equal(2, shown.Count);
        foreach (var (neighbour, label) in neighbours.Zip(shown))
        {
            // Rows of Q of a map that clips nothing differ from the raw rows by a constant, which Var(d)/2 ignores.
            var expected = KlBootstrap.Interval(raw[0], raw[Array.IndexOf(names, neighbour.Name)]);
            Assert.Equal($"[{ModelFormat.KlNats(expected.LowerNats)}, {ModelFormat.KlNats(expected.UpperNats)}]", label);
        }
    }
}
