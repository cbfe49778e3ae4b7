using LogLikeMap.Web.Components.Map;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogLikeMap.Tests.Web.Components;

public sealed class FamilyPaletteTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"llm-family-colours-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    private FamilyPalette Open() => new(_file, NullLogger<FamilyPalette>.Instance);

    [Fact]
    public void A_new_map_colours_its_families_in_name_order_as_before()
    {
        var palette = Open().For(["opt", "gpt2", "llama"]);

        // Tableau's first three colours go to gpt2, llama, opt (name order), as the name-sorted palette gave them.
        Assert.Equal("#4e79a7", palette.ColourOf("gpt2"));
        Assert.Equal("#f28e2b", palette.ColourOf("llama"));
        Assert.Equal("#e15759", palette.ColourOf("opt"));
    }

    [Fact]
    public void Adding_a_family_that_sorts_first_recolours_no_other()
    {
        var families = Open();
        var before = families.For(["neox-bytes", "opt", "pythia"]);

        var after = families.For(["aaa-new", "neox-bytes", "opt", "pythia"]);

        foreach (var family in before.Categories)
            Assert.Equal(before.ColourOf(family), after.ColourOf(family));
        Assert.DoesNotContain(after.ColourOf("aaa-new"), before.Categories.Select(before.ColourOf));
        Assert.Equal("#76b7b2", after.ColourOf("aaa-new")); // the fourth colour, the first one free
    }

    [Fact]
    public void Colours_survive_a_restart_and_families_that_left_keep_theirs_reserved()
    {
        var first = Open().For(["b", "c"]);
        Open().For(["a", "b", "c"]);

        // A restart reads the file: "a" keeps the third colour though it sorts first, and with "c" gone (deleted)
        // a new family takes the fourth colour, not c's.
        var restarted = Open();
        var later = restarted.For(["a", "b", "d"]);

        Assert.Equal(first.ColourOf("b"), later.ColourOf("b"));
        Assert.Equal("#e15759", later.ColourOf("a"));
        Assert.Equal("#76b7b2", later.ColourOf("d"));
        Assert.Equal(["a", "b", "d"], later.Categories);
    }

    [Fact]
    public void Beyond_twenty_families_the_least_used_colour_is_reused()
    {
        var families = Open();
        var names = Enumerable.Range(0, 22).Select(i => $"f{i:00}").ToList();

        var palette = families.For(names);

        Assert.Equal(20, names.Select(palette.ColourOf).Distinct().Count());
        Assert.Equal(palette.ColourOf("f00"), palette.ColourOf("f20"));
        Assert.Equal(palette.ColourOf("f01"), palette.ColourOf("f21"));
    }

    [Fact]
    public void A_damaged_file_does_not_stop_the_map()
    {
        File.WriteAllText(_file, "{ not json");

        var palette = Open().For(["gpt2"]);

        Assert.Equal("#4e79a7", palette.ColourOf("gpt2"));
        Assert.Contains("\"gpt2\": \"#4e79a7\"", File.ReadAllText(_file), StringComparison.Ordinal);
    }
}
