using System.Collections.Immutable;
using LogLikeMap.Web.Components.Map;

namespace LogLikeMap.Tests.Web.Components;

public sealed class MapViewStateTests
{
    public static TheoryData<MapViewState> States => new()
    {
        MapViewState.Default,
        new MapViewState { Selected = "meta-llama/Llama-2-7b-hf", K = 25 },
        new MapViewState
        {
            // Names and families with characters that a query string must escape.
            Selected = "org/model & friends?=#1 ü",
            Colouring = MapColouring.Created,
            HiddenFamilies = ImmutableSortedSet.Create(StringComparer.Ordinal, "llama-2", "a,b", "x y&z"),
            K = 1,
            X = new AxisRange(-45.123456789012345, 55.000000000000007),
            Y = new AxisRange(0.1 + 0.2, -1e-300),
            LayoutVersion = 7,
        },
        new MapViewState { Colouring = MapColouring.StrongestDomain, Y = new AxisRange(-3, 4) },
        new MapViewState { Colouring = MapColouring.MeanLogLikelihood, K = MapViewState.MaxK },
        new MapViewState { Colouring = MapColouring.Parameters, HiddenFamilies = ImmutableSortedSet.Create(StringComparer.Ordinal, "gpt2") },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void A_state_read_back_from_its_query_string_equals_the_original(MapViewState state)
    {
        var query = state.ToQueryString();

        Assert.Equal(state, MapViewState.Parse(query));
    }

    [Fact]
    public void The_default_view_has_an_empty_query_string()
    {
        Assert.Equal(string.Empty, MapViewState.Default.ToQueryString());
    }

    [Fact]
    public void The_layout_version_is_written_only_with_the_zoom_it_belongs_to()
    {
        Assert.Equal("?model=a", (MapViewState.Default with { Selected = "a", LayoutVersion = 3 }).ToQueryString());
        Assert.Equal("?x0=1&x1=2&v=3", (MapViewState.Default with { X = new AxisRange(1, 2), LayoutVersion = 3 }).ToQueryString());
    }

    [Fact]
    public void A_link_written_by_hand_is_read_field_by_field()
    {
        var state = MapViewState.Parse("?model=gpt2&colour=loglik&hide=opt&hide=bloom&k=7&x0=-1.5&x1=2.5");

        Assert.Equal("gpt2", state.Selected);
        Assert.Equal(MapColouring.MeanLogLikelihood, state.Colouring);
        Assert.Equal(["bloom", "opt"], state.HiddenFamilies);
        Assert.Equal(7, state.K);
        Assert.Equal(new AxisRange(-1.5, 2.5), state.X);
        Assert.Null(state.Y);
    }

    [Theory]
    [InlineData("?k=0", 1)]
    [InlineData("?k=-3", 1)]
    [InlineData("?k=100000", MapViewState.MaxK)]
    [InlineData("?k=ten", MapViewState.DefaultK)]
    public void K_outside_its_range_is_brought_back_into_it(string query, int expected)
    {
        Assert.Equal(expected, MapViewState.Parse(query).K);
    }

    [Theory]
    [InlineData("?colour=rainbow&x0=1&x1=nan&y0=2&y1=2")]
    [InlineData("?x0=1")]
    [InlineData("?x0=abc&x1=3&model=")]
    public void Broken_values_fall_back_to_the_defaults(string query)
    {
        Assert.Equal(MapViewState.Default, MapViewState.Parse(query));
    }

    [Fact]
    public void Toggling_a_family_twice_shows_it_again()
    {
        var hidden = MapViewState.Default.WithFamilyToggled("opt");
        Assert.Contains("opt", hidden.HiddenFamilies);
        Assert.Equal(MapViewState.Default, hidden.WithFamilyToggled("opt"));
    }
}
