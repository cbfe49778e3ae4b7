using System.Text.Json;
using LogLikeMap.Web.Components.Map;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class MapViewportTests
{
    [Fact]
    public void Finding_a_model_zooms_to_a_third_of_the_map_around_it()
    {
        // Extent 0..10 in x and 0..20 in y: 30% is 3 and 6.
        var models = new[] { Model("a", "f", 0, 0), Model("b", "f", 10, 20), Model("c", "f", 4, 5) };

        var state = MapViewport.CentreOn(MapViewState.Default, models[2], models);

        Assert.Equal(2.5, state.X!.Value.From, 12);
        Assert.Equal(5.5, state.X!.Value.To, 12);
        Assert.Equal(2, state.Y!.Value.From, 12);
        Assert.Equal(8, state.Y!.Value.To, 12);
    }

    [Fact]
    public void Moving_to_a_neighbour_keeps_the_zoom_level()
    {
        var models = new[] { Model("a", "f", 0, 0), Model("b", "f", 10, 20) };
        var zoomed = MapViewState.Default with { X = new AxisRange(-1, 1), Y = new AxisRange(5, 9) };

        var state = MapViewport.CentreOn(zoomed, models[1], models);

        Assert.Equal(new AxisRange(9, 11), state.X);
        Assert.Equal(new AxisRange(18, 22), state.Y);
    }

    [Fact]
    public void A_relayout_event_sets_autoscale_or_the_new_ranges()
    {
        var zoomed = MapViewState.Default with { X = new AxisRange(-1, 1), Y = new AxisRange(5, 9) };
        var numbers = JsonSerializer.Deserialize<JsonElement[]>("[1.5, 2.5]")!.Cast<object>().ToArray();
        var autorange = new Dictionary<string, JsonElement> { ["xaxis.autorange"] = JsonSerializer.SerializeToElement(true) };

        Assert.Equal(zoomed with { X = new AxisRange(1.5, 2.5) }, MapViewport.AfterRelayout(zoomed, numbers, null, null));
        Assert.Equal(zoomed with { X = null, Y = null }, MapViewport.AfterRelayout(zoomed, null, null, autorange));
        Assert.Equal(zoomed, MapViewport.AfterRelayout(zoomed, null, null, new Dictionary<string, JsonElement>()));
    }

    [Fact]
    public void A_zoom_is_kept_on_its_own_layout_version_and_dropped_on_another_keeping_the_rest()
    {
        var models = new[] { Model("a", "f", 0, 0), Model("b", "f", 10, 20) };
        var link = MapViewState.Default with
        {
            Selected = "a", K = 3, Colouring = MapColouring.Parameters, X = new AxisRange(-1, 1), Y = new AxisRange(-1, 1), LayoutVersion = 4,
        };

        Assert.Equal(link, MapViewport.ForLayout(link, 4, models));

        var afterRefresh = MapViewport.ForLayout(link, 5, models);
        Assert.Equal(link with { X = null, Y = null, LayoutVersion = null }, afterRefresh);
        Assert.Equal("?model=a&colour=params&k=3", afterRefresh.ToQueryString());
    }

    [Fact]
    public void A_zoom_without_a_version_is_kept_only_where_it_shows_a_model_and_then_stamped()
    {
        var models = new[] { Model("a", "f", 0, 0), Model("b", "f", 10, 20) };
        var onB = MapViewState.Default with { X = new AxisRange(9, 11), Y = new AxisRange(21, 19) };
        var onNothing = MapViewState.Default with { X = new AxisRange(30, 40), Y = new AxisRange(30, 40) };

        Assert.Equal(onB with { LayoutVersion = 2 }, MapViewport.ForLayout(onB, 2, models));
        Assert.Equal(MapViewState.Default, MapViewport.ForLayout(onNothing, 2, models));
    }
}
