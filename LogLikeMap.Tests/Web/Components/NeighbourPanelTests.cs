using Bunit;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Components.Shared;
using LogLikeMap.Web.Services;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class NeighbourPanelTests : ComponentTestContext
{
    [Fact]
    public void Shows_one_row_per_neighbour_with_its_KL_in_nats_and_bits_per_byte()
    {
        Neighbour[] neighbours =
        [
            new(Model: 0, 1, "org/near", 12.345678, 0.0123456, Family: "opt"),
            new(Model: 0, 2, "far", 250.0, 0.36049, Family: "gpt2"),
            new(Model: 0, 3, "farther", 1234.56, 1.7799, Family: "gpt2"),
        ];

        var panel = Context.Render<NeighbourPanel>(p => p
            .Add(c => c.Model, Model("org/me", "opt", 0, 0, parameters: 124_000_000))
            .Add(c => c.Neighbours, neighbours)
            .Add(c => c.K, 3)
            .Add(c => c.LinkTo, name => "/?model=" + Uri.EscapeDataString(name))
            .Add(c => c.TextCount, 300)
            .Add(c => c.MeanTextBytes, 1000.5));

        var rows = panel.FindAll("[data-testid=neighbour-row]");
        Assert.Equal(3, rows.Count);
        // Four significant digits in nats, three decimals in bits per byte.
        Assert.Equal(["12.35", "250.0", "1235"], panel.FindAll("[data-testid=kl-nats]").Select(e => e.TextContent));
        Assert.Equal(["0.012", "0.360", "1.780"], panel.FindAll("[data-testid=kl-bpb]").Select(e => e.TextContent));
        Assert.Equal("/?model=org%2Fnear", panel.FindAll("[data-testid=neighbour-link]")[0].GetAttribute("href"));
        Assert.Equal("org/me", panel.Find("[data-testid=selected-name]").TextContent);
        Assert.Contains("124M", panel.Markup);
    }

    [Fact]
    public void Says_so_when_the_map_has_fewer_models_than_k()
    {
        var panel = Context.Render<NeighbourPanel>(p => p
            .Add(c => c.Model, Model("me", "opt", 0, 0))
            .Add(c => c.Neighbours, [new Neighbour(Model: 0, 1, "only", 1, 0.001, Family: "opt")])
            .Add(c => c.K, MapViewState.DefaultK)
            .Add(c => c.LinkTo, name => name));

        Assert.Contains("The map holds only 1 other model.", panel.Markup);
    }
}
