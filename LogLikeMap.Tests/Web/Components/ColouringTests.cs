using LogLikeMap.Web.Components.Map;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class ColouringTests
{
    [Fact]
    public void A_family_keeps_its_colour_whatever_order_the_models_come_in()
    {
        var forward = new CategoryPalette(["opt", "gpt2", "llama", "gpt2"]);
        var backward = new CategoryPalette(["llama", "gpt2", "opt"]);

        Assert.Equal(["gpt2", "llama", "opt"], forward.Categories);
        foreach (var family in forward.Categories)
            Assert.Equal(forward.ColourOf(family), backward.ColourOf(family));
        Assert.Equal(3, forward.Categories.Select(forward.ColourOf).Distinct().Count());
        Assert.Equal(CategoryPalette.Unknown, forward.ColourOf("bloom"));
        Assert.Equal(CategoryPalette.Unknown, forward.ColourOf(null));
    }

    [Fact]
    public void Parameter_counts_are_coloured_on_a_log_scale_with_ticks_at_whole_decades()
    {
        // log10 of 1e8, 1e9, 7e9 is 8, 9 and 9.845...; the bar runs 8..9.845 with ticks at 8 ("100M") and 9 ("1B").
        var models = new[]
        {
            Model("a", "f", 0, 0, parameters: 100_000_000),
            Model("b", "f", 0, 0, parameters: 1_000_000_000),
            Model("c", "f", 0, 0, parameters: 7_000_000_000),
            Model("d", "f", 0, 0, parameters: null),
        };

        var axis = NumericColourAxis.For(MapColouring.Parameters, models);

        Assert.Equal(8, axis.Values[0], 12);
        Assert.Equal(9, axis.Values[1], 12);
        Assert.Equal(9.845098040014257, axis.Values[2], 12);
        Assert.True(double.IsNaN(axis.Values[3]));
        Assert.False(axis.HasValue(3));
        Assert.Equal(8, axis.Min, 12);
        Assert.Equal(9.845098040014257, axis.Max, 12);
        Assert.Equal([8.0, 9.0], axis.TickValues!);
        Assert.Equal(["100M", "1B"], axis.TickLabels!);
    }

    [Fact]
    public void Creation_dates_get_five_evenly_spaced_date_labels()
    {
        var models = new[]
        {
            Model("a", "f", 0, 0, created: new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Model("b", "f", 0, 0, created: new DateTimeOffset(2023, 1, 9, 0, 0, 0, TimeSpan.Zero)),
        };

        var axis = NumericColourAxis.For(MapColouring.Created, models);

        // 2023-01-01 is day 19358 after 1970-01-01; eight days span four steps of two days.
        Assert.Equal(19358, axis.Min, 9);
        Assert.Equal(19366, axis.Max, 9);
        Assert.Equal(["2023-01-01", "2023-01-03", "2023-01-05", "2023-01-07", "2023-01-09"], axis.TickLabels!);
    }

    [Fact]
    public void Mean_log_likelihood_is_coloured_by_its_value_without_relabelled_ticks()
    {
        var models = new[] { Model("a", "f", 0, 0, meanLogLikelihood: -700), Model("b", "f", 0, 0, meanLogLikelihood: -500) };

        var axis = NumericColourAxis.For(MapColouring.MeanLogLikelihood, models);

        Assert.Equal([-700.0, -500.0], axis.Values);
        Assert.Equal((-700.0, -500.0), (axis.Min, axis.Max));
        Assert.Null(axis.TickValues);
    }

    [Fact]
    public void Categorical_colourings_have_no_colour_bar()
    {
        Assert.Throws<ArgumentException>(() => NumericColourAxis.For(MapColouring.Family, [Model("a", "f", 0, 0)]));
    }

    [Fact]
    public void The_family_legend_counts_models_and_marks_hidden_families()
    {
        var models = new[] { Model("a", "opt", 0, 0), Model("b", "gpt2", 0, 0), Model("c", "opt", 0, 0) };
        var state = MapViewState.Default.WithFamilyToggled("opt");

        var legend = MapLegend.Families(models, state);

        Assert.Equal([("gpt2", 1, false), ("opt", 2, true)], legend.Select(e => (e.Name, e.Count, e.Hidden)));
        Assert.All(legend, e => Assert.NotNull(e.Colour));
        Assert.All(MapLegend.Families(models, state with { Colouring = MapColouring.Created }), e => Assert.Null(e.Colour));
    }

    [Fact]
    public void The_domain_key_counts_only_shown_models_and_lists_unknown_domains()
    {
        var models = new[]
        {
            Model("a", "opt", 0, 0, domain: "Code"), Model("b", "gpt2", 0, 0, domain: "Books"),
            Model("c", "gpt2", 0, 0, domain: "Code"), Model("d", "gpt2", 0, 0),
        };
        var state = new MapViewState { Colouring = MapColouring.StrongestDomain }.WithFamilyToggled("opt");

        var key = MapLegend.Categories(models, state);

        Assert.Equal([("Books", 1), ("Code", 1), ("unknown", 1)], key.Select(e => (e.Name, e.Count)));
    }

    [Fact]
    public void Kind_of_change_and_training_data_colour_by_the_cards_fields_with_a_key_and_a_link_token()
    {
        var models = new[]
        {
            Model("base", "a", 0, 0) with { Change = "base", Data = "sotu+email" },
            Model("ft", "a", 0, 0) with { Change = "domain fine-tune", Data = "email" },
            Model("int8", "b", 0, 0) with { Change = "8-bit quantisation", Data = "sotu+email" },
            Model("paper", "b", 0, 0),
        };
        var byChange = new MapViewState { Colouring = MapColouring.Change };

        Assert.Equal(
            [("8-bit quantisation", 1), ("base", 1), ("domain fine-tune", 1), ("unknown", 1)],
            MapLegend.Categories(models, byChange).Select(e => (e.Name, e.Count)));
        // With family b hidden, only base and ft are counted; no shown model lacks its data, so there is no "unknown".
        Assert.Equal(
            [("email", 1), ("sotu+email", 1)],
            MapLegend.Categories(models, new MapViewState { Colouring = MapColouring.Data }.WithFamilyToggled("b")).Select(e => (e.Name, e.Count)));
        Assert.Equal(MapColouring.Change, MapColourings.FromUrlToken("change"));
        Assert.Equal(MapColouring.Data, MapColourings.FromUrlToken("data"));
        Assert.True(MapColouring.Change.IsCategorical() && MapColouring.Data.IsCategorical());

        // One trace per category, each named after it.
        var figure = MapFigure.Build(models, byChange, []);
        Assert.Superset(new HashSet<string> { "base", "domain fine-tune", "8-bit quantisation", "unknown" }, figure.Traces.Select(t => ((Plotly.Blazor.Traces.ScatterGl)t).Name).ToHashSet());
    }
}
