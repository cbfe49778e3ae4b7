using LogLikeMap.Core.Formats;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Tests.TextSets;

/// <summary>The one rule that lines scores up with a text set's columns: every text exactly once, nothing else.</summary>
public sealed class TextColumnsTests
{
    private static readonly TextColumns Columns = new([40, 10, 30, 20, 50, 60, 70], "tiny");

    [Fact]
    public void Scores_in_any_order_come_back_in_the_columns_order_with_their_token_counts()
    {
        TextScore[] scores = [.. new long[] { 70, 10, 20, 30, 40, 50, 60 }.Select(i => new TextScore(i, (int)i / 10, -i))];

        var aligned = Columns.Align(scores, "Model 'm'");

        Assert.Equal([-40.0, -10, -30, -20, -50, -60, -70], aligned.LogLikelihoods);
        Assert.Equal([4, 1, 3, 2, 5, 6, 7], aligned.TokenCounts);
    }

    [Fact]
    public void An_index_outside_the_set_a_repeated_one_missing_ones_and_a_non_finite_score_are_refused_by_name()
    {
        static TextScore[] Scores(params long[] indices) => [.. indices.Select(i => new TextScore(i, 2, -1))];

        var outside = Assert.Throws<InvalidDataException>(() => Columns.Align(Scores(10, 20, 30, 40, 50, 60, 70, 99), "Model 'm'"));
        var twice = Assert.Throws<InvalidDataException>(() => Columns.Align(Scores(10, 20, 30, 40, 50, 60, 70, 30), "Model 'm'"));
        var missing = Assert.Throws<InvalidDataException>(() => Columns.Align(Scores(20), "Model 'm'"));
        var nan = Assert.Throws<InvalidDataException>(() => Columns.Align(
            [.. Scores(10, 20, 30, 40, 50, 60), new TextScore(70, 2, double.NaN)], "Model 'm'"));

        Assert.Equal("Model 'm': text index 99 is not in the text set 'tiny' (7 texts).", outside.Message);
        Assert.Equal("Model 'm': text index 30 is scored twice.", twice.Message);
        Assert.StartsWith("Model 'm': 6 of the 7 texts of 'tiny' have no score (text index 40, 10, 30, 50, 60, ...)", missing.Message, StringComparison.Ordinal);
        Assert.Contains("text index 70 has log-likelihood NaN", nan.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_set_listing_an_index_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TextColumns([1, 2, 1], "broken"));

        Assert.Contains("Text index 1 appears twice in text set 'broken'", error.Message, StringComparison.Ordinal);
    }
}
