using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Components;

public sealed class TextSetTableTests
{
    private static readonly TextSetTable Table = new("t", "h", 3,
    [
        new(10, "A", 100, "", 1.0),
        new(11, "B", 300, "", 5.0),
        new(12, "A", 200, "", 5.0),
        new(13, null, 50, "", 3.0),
        new(14, "A", 400, "", 0.5),
    ]);

    [Fact]
    public void Domains_are_counted_largest_first()
    {
        Assert.Equal([new DomainCount("A", 3), new DomainCount(null, 1), new DomainCount("B", 1)], Table.Domains);
    }

    [Fact]
    public void Variance_descending_breaks_ties_by_index_and_pages_do_not_overlap()
    {
        var first = Table.Query(new TextQuery(null, TextOrder.Variance, Descending: true, Skip: 0, Take: 2));
        var rest = Table.Query(new TextQuery(null, TextOrder.Variance, Descending: true, Skip: 2, Take: 10));

        Assert.Equal(5, first.Total);
        Assert.Equal([11L, 12], first.Rows.Select(r => r.Index));
        Assert.Equal([13L, 10, 14], rest.Rows.Select(r => r.Index));
    }

    [Fact]
    public void A_domain_filter_counts_only_its_texts()
    {
        var page = Table.Query(new TextQuery("A", TextOrder.ByteLength, Descending: false, Skip: 1, Take: 5));

        Assert.Equal(3, page.Total);
        Assert.Equal([12L, 14], page.Rows.Select(r => r.Index));
    }

    [Theory]
    [InlineData("a\n\n  b\tc ", "a b c")]
    [InlineData("   leading", "leading")]
    public void A_preview_turns_white_space_runs_into_one_space(string text, string preview)
    {
        Assert.Equal(preview, TextSetTable.PreviewOf(text));
    }

    [Fact]
    public void A_long_text_is_cut_at_the_preview_length_with_an_ellipsis()
    {
        Assert.Equal(new string('x', 120), TextSetTable.PreviewOf(new string('x', 120)));
        // Cut texts keep 119 characters and the ellipsis: 120 in all.
        Assert.Equal(new string('x', 119) + "…", TextSetTable.PreviewOf(new string('x', 121)));
        Assert.Equal(new string('x', 118) + "😀", TextSetTable.PreviewOf(new string('x', 118) + "😀"));
        // 118 letters, then an emoji (two UTF-16 units) that would end at 120, then more: the emoji is left out
        // whole, never halved, and so is the space the cut would leave before the ellipsis.
        Assert.Equal(new string('x', 118) + "…", TextSetTable.PreviewOf(new string('x', 118) + "😀y"));
        Assert.Equal(new string('x', 118) + "…", TextSetTable.PreviewOf(new string('x', 118) + " yy"));
    }
}
