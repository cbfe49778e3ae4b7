using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>The nearest lineage and its margin, worked by hand.</summary>
public sealed class NearestLineageTests
{
    [Fact]
    public void Each_lineage_is_as_near_as_its_nearest_member_and_the_margin_is_the_gap_to_the_next()
    {
        // a: 0.5 and 0.2 -> 0.2; b: 0.3 -> 0.3; c: 0.9. Nearest a (0.2), runner-up b (0.3), margin 0.1.
        var match = NearestLineage.Of([("a", 0.5), ("b", 0.3), ("a", 0.2), ("c", 0.9)])!;

        Assert.Equal(("a", 0.2, "b", 0.3), (match.Lineage, match.KlNats, match.RunnerUp, match.RunnerUpKlNats));
        Assert.Equal(0.1, match.MarginNats!.Value, 12);
    }

    [Fact]
    public void One_lineage_has_no_runner_up_and_none_has_no_match()
    {
        var alone = NearestLineage.Of([("a", 0.4), ("a", 0.1)])!;

        Assert.Equal(("a", 0.1), (alone.Lineage, alone.KlNats));
        Assert.Null(alone.RunnerUp);
        Assert.Null(alone.MarginNats);
        Assert.Null(NearestLineage.Of([]));
    }

    [Fact]
    public void A_tie_goes_to_the_lineage_whose_name_sorts_first()
    {
        var match = NearestLineage.Of([("z", 0.2), ("m", 0.2)])!;

        Assert.Equal(("m", "z", 0.0), (match.Lineage, match.RunnerUp, match.MarginNats));
    }
}
