using Bunit;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Components.Pages;
using LogLikeMap.Web.Components.Shared;
using LogLikeMap.Web.Services;
using Plotly.Blazor.Traces;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

/// <summary>The small things of issue 18 item 5 that cost a reader's trust, one test each.</summary>
public sealed class MapDetailsTests : ComponentTestContext
{
    private static readonly ModelPoint[] Models =
    [
        Model("a", "opt", 0, 0), Model("b", "opt", 1, 0), Model("c", "gpt2", 5, 5),
    ];

    private static readonly Dictionary<string, IReadOnlyList<Neighbour>> Neighbours = new()
    {
        ["a"] = [new(Model: 0, 1, "b", 1.25, 0.0018, Family: "opt"), new(Model: 0, 2, "c", 40, 0.0577, Family: "gpt2")],
    };

    [Fact]
    public void Neighbour_and_selection_rings_are_in_colours_no_family_or_unknown_point_gets()
    {
        var figure = MapFigure.Build(Models, MapViewState.Default with { Selected = "a" }, Neighbours["a"]);
        var rings = figure.Traces.Cast<ScatterGl>().Where(t => t.Name is "neighbours" or "selected").ToList();

        Assert.Equal(2, rings.Count);
        foreach (var ring in rings)
        {
            Assert.DoesNotContain(ring.Marker.Color, CategoryPalette.Colours);
            Assert.NotEqual(CategoryPalette.Unknown, ring.Marker.Color);
        }
        Assert.NotEqual(rings[0].Marker.Color, rings[1].Marker.Color);
    }

    [Fact]
    public void A_model_is_found_at_its_own_point_before_its_ring()
    {
        var figure = MapFigure.Build(Models, MapViewState.Default with { Selected = "a" }, Neighbours["a"]);

        // Traces: gpt2 [c], opt [a, b], then links and rings.
        Assert.Equal((1, 1), figure.PointOf("b"));
        Assert.Equal((0, 0), figure.PointOf("c"));
        Assert.Null(figure.PointOf("nobody"));
    }

    [Fact]
    public void Long_names_are_cut_into_hover_card_lines_after_separators_and_escaped()
    {
        const string name = "an-organisation-with-a-long-name/a-model-fine-tuned-on-everything-for-far-too-long<v2>";

        var lines = ModelFormat.HoverLines(name).Split("<br>");

        Assert.Equal(["an-organisation-with-a-long-name/a-", "model-fine-tuned-on-everything-for-far-", "too-long&lt;v2&gt;"], lines);
        Assert.Equal("short/name", ModelFormat.HoverLines("short/name"));
        Assert.Equal(["x".PadRight(40, 'x'), "xxxxx"], ModelFormat.HoverLines(new string('x', 45)).Split("<br>"));
    }

    [Fact]
    public void The_axes_are_named_t_SNE_1_and_2_without_numbers()
    {
        var layout = MapLayout.Create();

        Assert.Equal("t-SNE 1", layout.XAxis[0].Title.Text);
        Assert.Equal("t-SNE 2", layout.YAxis[0].Title.Text);
        Assert.False(layout.XAxis[0].ShowTickLabels);
    }

    [Theory]
    [InlineData(new long[] { 124_000_000 }, new[] { "124M" })]
    [InlineData(new long[] { 124_000_000, 125_000_000 }, new[] { "124M", "125M" })]
    [InlineData(new long[] { 1_240_000_000, 1_249_000_000 }, new[] { "1.2B" })]
    [InlineData(new long[] { 150_000_000, 700_000_000 }, new[] { "200M", "500M" })]
    [InlineData(new long[] { 70_000_000, 7_000_000_000 }, new[] { "100M", "1B" })]
    public void Parameter_colour_bars_never_show_one_lone_or_repeated_tick_unless_all_sizes_read_alike(long[] sizes, string[] labels)
    {
        var models = sizes.Select((s, i) => Model($"m{i}", "f", 0, 0, parameters: s)).ToList();

        var axis = NumericColourAxis.For(MapColouring.Parameters, models);

        Assert.Equal(labels, axis.TickLabels!);
        Assert.Equal(labels.Length, axis.TickValues!.Count);
        Assert.All(axis.TickValues, t => Assert.InRange(t, axis.Min - 1e-9, axis.Max + 1e-9));
    }

    [Theory]
    [InlineData(new[] { "2024-03-05T10:00:00Z" }, new[] { "2024-03-05" })]
    [InlineData(new[] { "2024-03-05T10:00:00Z", "2024-03-05T18:00:00Z" }, new[] { "2024-03-05" })]
    [InlineData(new[] { "2024-03-05T00:00:00Z", "2024-03-07T00:00:00Z" }, new[] { "2024-03-05", "2024-03-06", "2024-03-07" })]
    public void Date_colour_bars_name_each_date_once(string[] dates, string[] labels)
    {
        var models = dates.Select((d, i) => Model($"m{i}", "f", 0, 0, created: DateTimeOffset.Parse(d, System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var axis = NumericColourAxis.For(MapColouring.Created, models);

        Assert.Equal(labels, axis.TickLabels!);
    }

    [Fact]
    public void A_finished_results_file_job_reads_as_placed_not_as_scoring_counting_texts()
    {
        var placed = new JobStatus("7", JobKind.Score, "me/results", JobState.Succeeded, 0, 0, 0, null, null, DateTimeOffset.UnixEpoch);

        var view = Context.Render<JobProgressView>(p => p.Add(c => c.Job, placed));

        Assert.Contains("Placing me/results", view.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Scoring", view.Markup, StringComparison.Ordinal);
        Assert.Equal("placed from its results file: nothing to score", view.Find("[data-testid=job-progress]").TextContent.Trim());
        // A checkpoint job still counting its texts reads as before; one that failed first says it scored nothing.
        Assert.Equal("counting texts", JobFormat.Texts(placed with { State = JobState.Running }));
        Assert.Equal("Scoring me/results", JobFormat.Title(placed with { State = JobState.Failed }));
        Assert.Equal("stopped before any text was scored", JobFormat.Texts(placed with { State = JobState.Failed }));
    }

    [Fact]
    public void The_panel_says_KL_depends_on_the_model_set_and_clip_threshold_and_wraps_long_names()
    {
        var panel = RenderPanel(k: 2, onK: _ => { });

        Assert.Contains("depend on the models now on the map and the clip threshold", panel.Find("[data-testid=kl-depends]").TextContent, StringComparison.Ordinal);
        Assert.Contains("llm-long-name", panel.Find("[data-testid=selected-name]").ClassName, StringComparison.Ordinal);
        Assert.DoesNotContain("break-all", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_k_below_one_is_used_as_one_and_the_field_shows_the_k_used()
    {
        var asked = new List<int>();
        var panel = RenderPanel(k: 1, onK: asked.Add);

        panel.Find("input[data-testid=k]").Change("-2");

        // k = 1 is already in use: nothing to ask for, and the field shows 1 again rather than -2.
        panel.WaitForAssertion(() => Assert.Equal("1", panel.Find("input[data-testid=k]").GetAttribute("value")), RenderTimeout);
        Assert.Empty(asked);

        var wide = RenderPanel(k: 10, onK: asked.Add);
        wide.Find("input[data-testid=k]").Change("500");
        Assert.Equal([MapViewState.MaxK], asked);
    }

    [Fact]
    public void Hovering_a_neighbour_row_names_it_and_leaving_clears_it()
    {
        var hovered = new List<string?>();
        var panel = Context.Render<NeighbourPanel>(p => p
            .Add(c => c.Model, Models[0])
            .Add(c => c.Neighbours, Neighbours["a"])
            .Add(c => c.LinkTo, name => "/?model=" + name)
            .Add(c => c.OnNeighbourHover, (string? name) => hovered.Add(name)));

        panel.FindAll("[data-testid=neighbour-row]")[1].TriggerEvent("onmouseenter", new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        panel.FindAll("[data-testid=neighbour-row]")[1].TriggerEvent("onmouseleave", new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        Assert.Equal(["c", null], hovered);
    }

    [Theory]
    [InlineData(nameof(MapPage.OnEscape))]
    [InlineData(nameof(MapPage.OnEmptyMapClick))]
    public async Task Esc_or_a_click_on_empty_map_deselects_keeping_the_rest_of_the_view(string gesture)
    {
        UseServices(new FakeModelMapService(Models, Neighbours));
        Navigation.NavigateTo("/?model=a&k=2&colour=created");
        var page = RenderPage<MapPage>();
        Assert.NotEmpty(page.FindAll("[data-testid=neighbour-panel]"));

        await page.InvokeAsync(() => typeof(MapPage).GetMethod(gesture)!.Invoke(page.Instance, null));

        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[data-testid=neighbour-panel]"));
            Assert.Equal(MapViewState.Default with { K = 2, Colouring = MapColouring.Created }, MapViewState.Parse(new Uri(Navigation.Uri).Query));
        }, RenderTimeout);
    }

    private IRenderedComponent<NeighbourPanel> RenderPanel(int k, Action<int> onK) =>
        Context.Render<NeighbourPanel>(p => p
            .Add(c => c.Model, Model("an-organisation/a-model-with-a-name-far-longer-than-the-panel-is-wide", "opt", 0, 0))
            .Add(c => c.Neighbours, Neighbours["a"])
            .Add(c => c.K, k)
            .Add(c => c.KChanged, onK)
            .Add(c => c.LinkTo, name => "/?model=" + name));
}
