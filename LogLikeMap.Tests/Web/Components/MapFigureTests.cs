using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Services;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterGlLib.MarkerLib;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class MapFigureTests
{
    private static readonly ModelPoint[] Models =
    [
        Model("a", "opt", 1, 1), Model("b", "gpt2", 2, 2), Model("c", "opt", 3, 3, provisional: true), Model("d", "llama", 4, 4),
    ];

    [Fact]
    public void Every_drawn_point_leads_back_to_its_model()
    {
        var figure = MapFigure.Build(Models, MapViewState.Default, []);

        // One trace per family, sorted by name: gpt2, llama, opt.
        var traces = figure.Traces.Cast<ScatterGl>().ToList();
        Assert.Equal(["gpt2", "llama", "opt"], traces.Select(t => t.Name));
        Assert.Equal("b", figure.ModelAt(0, 0));
        Assert.Equal("d", figure.ModelAt(1, 0));
        Assert.Equal("a", figure.ModelAt(2, 0));
        Assert.Equal("c", figure.ModelAt(2, 1));
        Assert.Equal([3.0, 3.0], new[] { traces[2].X[1], traces[2].Y[1] }.Cast<double>());
        Assert.Null(figure.ModelAt(2, 2));
        Assert.Null(figure.ModelAt(7, 0));
    }

    [Fact]
    public void Hidden_families_are_not_drawn()
    {
        var figure = MapFigure.Build(Models, MapViewState.Default.WithFamilyToggled("opt"), []);

        Assert.Equal(["gpt2", "llama"], figure.Traces.Cast<ScatterGl>().Select(t => t.Name));
    }

    [Fact]
    public void Provisional_placements_are_diamonds_and_the_others_circles()
    {
        var opt = MapFigure.Build(Models, MapViewState.Default, []).Traces.Cast<ScatterGl>().Single(t => t.Name == "opt");

        Assert.Equal([SymbolEnum.Circle, SymbolEnum.Diamond], opt.Marker.SymbolArray);
    }

    [Fact]
    public void The_selected_model_and_its_neighbours_are_ringed_and_joined_by_lines()
    {
        var state = MapViewState.Default with { Selected = "a" };
        Neighbour[] neighbours = [new(Model: 0, 1, "c", 1.5, 0.002, Family: "opt"), new(Model: 0, 2, "d", 2.5, 0.004, Family: "llama")];

        var figure = MapFigure.Build(Models, state, neighbours);
        var traces = figure.Traces.Cast<ScatterGl>().ToList();

        var links = traces.Single(t => t.Name == "neighbour links");
        Assert.Equal(new object?[] { 1.0, 3.0, null, 1.0, 4.0, null }, links.X);
        var rings = traces.Single(t => t.Name == "neighbours");
        Assert.Equal("c", figure.ModelAt(traces.IndexOf(rings), 0));
        Assert.Equal("d", figure.ModelAt(traces.IndexOf(rings), 1));
        Assert.Equal("a", figure.ModelAt(traces.IndexOf(traces.Single(t => t.Name == "selected")), 0));
        Assert.Null(figure.ModelAt(traces.IndexOf(links), 0));
    }

    [Fact]
    public void Colouring_by_a_number_draws_one_trace_with_a_colour_bar_and_the_unknowns_in_grey()
    {
        ModelPoint[] models = [Model("a", "opt", 0, 0, parameters: 1_000_000), Model("b", "opt", 1, 1)];

        var figure = MapFigure.Build(models, new MapViewState { Colouring = MapColouring.Parameters }, []);
        var traces = figure.Traces.Cast<ScatterGl>().ToList();

        Assert.Equal(2, traces.Count);
        Assert.Equal(CategoryPalette.Unknown, traces[0].Marker.Color);
        Assert.Equal("b", figure.ModelAt(0, 0));
        Assert.True(traces[1].Marker.ShowScale);
        Assert.Equal("a", figure.ModelAt(1, 0));
    }

    [Fact]
    public void The_hover_card_names_the_model_its_family_architecture_size_and_mean_log_likelihood()
    {
        var card = MapFigure.HoverCard(new ModelPoint("x/<y>", "opt", "gpt2", 124_000_000, null, -612.34, null, 0, 0, true));

        Assert.Equal(
            "<b>x/&lt;y&gt;</b><br>opt · gpt2<br>124M parameters<br>mean log-likelihood -612.3<br><i>provisional placement</i>",
            card);
    }
}
