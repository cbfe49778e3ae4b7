using Bunit;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Components.Pages;
using LogLikeMap.Web.Services;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class MapPageTests : ComponentTestContext
{
    private static readonly ModelPoint[] Models =
    [
        Model("a", "opt", 0, 0), Model("b", "opt", 1, 0), Model("c", "gpt2", 5, 5), Model("d", "gpt2", 9, 9),
    ];

    private static readonly Dictionary<string, IReadOnlyList<Neighbour>> Neighbours = new()
    {
        ["a"] = [new(Model: 0, 1, "b", 1.25, 0.0018, Family: "opt"), new(Model: 0, 2, "c", 40, 0.0577, Family: "gpt2"), new(Model: 0, 3, "d", 90, 0.1298, Family: "gpt2")],
        ["b"] = [new(Model: 0, 1, "a", 1.25, 0.0018, Family: "opt"), new(Model: 0, 2, "c", 35, 0.0505, Family: "gpt2"), new(Model: 0, 3, "d", 80, 0.1154, Family: "gpt2")],
    };

    private readonly FakeModelMapService _map = new(Models, Neighbours);

    public MapPageTests() => UseServices(_map);

    private IRenderedComponent<MapPage> RenderMapAt(string relativeUrl)
    {
        Navigation.NavigateTo(relativeUrl);
        return RenderPage<MapPage>();
    }

    [Fact]
    public void A_link_with_a_model_and_k_opens_its_panel_with_k_neighbours_from_the_service()
    {
        var page = RenderMapAt("/?model=a&k=2");

        Assert.Equal("a", page.Find("[data-testid=selected-name]").TextContent);
        Assert.Equal(["b", "c"], page.FindAll("[data-testid=neighbour-link]").Select(e => e.TextContent));
        Assert.Equal(["1.250", "40.00"], page.FindAll("[data-testid=kl-nats]").Select(e => e.TextContent));
        Assert.Contains(("a", 2), _map.Queries);
    }

    [Fact]
    public void Following_a_neighbour_link_selects_it_and_keeps_k()
    {
        var page = RenderMapAt("/?model=a&k=2");

        Navigation.NavigateTo(page.FindAll("[data-testid=neighbour-link]")[0].GetAttribute("href")!);

        page.WaitForAssertion(() =>
        {
            Assert.Equal("b", page.Find("[data-testid=selected-name]").TextContent);
            Assert.Equal(["a", "c"], page.FindAll("[data-testid=neighbour-link]").Select(e => e.TextContent));
            var state = MapViewState.Parse(new Uri(Navigation.Uri).Query);
            Assert.Equal("b", state.Selected);
            Assert.Equal(2, state.K);
            // The view panned to the neighbour: it is in the middle of the new ranges.
            Assert.Equal(1, (state.X!.Value.From + state.X.Value.To) / 2, 9);
        }, RenderTimeout);
    }

    [Fact]
    public void Clicking_a_family_chip_hides_it_and_writes_it_into_the_link()
    {
        var page = RenderMapAt("/");

        page.FindAll("[data-testid=family-chip]").Single(c => c.TextContent.Contains("opt", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(["opt"], MapViewState.Parse(new Uri(Navigation.Uri).Query).HiddenFamilies), RenderTimeout);
    }

    [Fact]
    public void A_link_to_a_model_no_longer_on_the_map_shows_the_map_without_a_panel()
    {
        var page = RenderMapAt("/?model=deleted");

        Assert.Empty(page.FindAll("[data-testid=neighbour-panel]"));
    }

    [Fact]
    public void A_link_zoomed_on_an_older_layout_opens_its_model_unzoomed()
    {
        // The fake map draws layout version 1; the link was zoomed on version 0, where (100..200) held points.
        var page = RenderMapAt("/?model=a&k=2&colour=created&x0=100&x1=200&y0=100&y1=200&v=0");

        Assert.Equal("a", page.Find("[data-testid=selected-name]").TextContent);
        Assert.Equal(["b", "c"], page.FindAll("[data-testid=neighbour-link]").Select(e => e.TextContent));
        // Links from the page carry the model, k and colouring, and no zoom.
        Assert.Equal("/?model=b&colour=created&k=2", page.FindAll("[data-testid=neighbour-link]")[0].GetAttribute("href"));
    }

    [Fact]
    public void A_link_zoomed_on_the_current_layout_keeps_its_zoom()
    {
        var page = RenderMapAt("/?model=a&k=2&x0=-1&x1=2&y0=-1&y1=1&v=1");

        Assert.Equal("/?model=b&k=2&x0=-1&x1=2&y0=-1&y1=1&v=1", page.FindAll("[data-testid=neighbour-link]")[0].GetAttribute("href"));
    }

    [Fact]
    public async Task A_refresh_while_the_page_is_open_drops_the_zoom_from_the_link_and_keeps_the_selection()
    {
        var page = RenderMapAt("/?model=a&k=2&x0=-1&x1=2&y0=-1&y1=1&v=1");

        await _map.ReplaceAsync(Models, layoutVersion: 2);

        page.WaitForAssertion(() =>
        {
            Assert.Equal("a", page.Find("[data-testid=selected-name]").TextContent);
            Assert.Equal(MapViewState.Default with { Selected = "a", K = 2 }, MapViewState.Parse(new Uri(Navigation.Uri).Query));
        }, RenderTimeout);
    }

    [Fact]
    public async Task The_map_follows_the_service_when_a_model_is_placed()
    {
        var page = RenderMapAt("/");

        await _map.ReplaceAsync([.. Models, Model("new/one", "opt", 2, 2, provisional: true)]);

        page.WaitForAssertion(() =>
        {
            Assert.Contains("5 models", page.Find("[data-testid=map-summary]").TextContent, StringComparison.Ordinal);
            Assert.NotEmpty(page.FindAll("[data-testid=provisional-note]"));
        }, RenderTimeout);
    }

    [Fact]
    public async Task Before_the_neighbour_index_is_ready_the_panel_says_so_and_fills_in_when_it_is()
    {
        _map.NeighboursReady = false;
        var page = RenderMapAt("/?model=a&k=2");

        Assert.Equal("a", page.Find("[data-testid=selected-name]").TextContent);
        Assert.NotEmpty(page.FindAll("[data-testid=neighbours-preparing]"));
        Assert.Empty(page.FindAll("[data-testid=neighbour-row]"));

        await _map.FinishPreparingNeighboursAsync();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(["b", "c"], page.FindAll("[data-testid=neighbour-link]").Select(e => e.TextContent));
            Assert.Empty(page.FindAll("[data-testid=neighbours-preparing]"));
        }, RenderTimeout);
    }
}
