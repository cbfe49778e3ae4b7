using LogLikeMap.Core.Analysis;
using System.Text.Json.Nodes;
using LogLikeMap.Lab.Zoo;

namespace LogLikeMap.Tests.Zoo;

/// <summary>The statistics of the method checks against values worked by hand (scipy's conventions).</summary>
public sealed class ZooChecksTests
{
    [Fact]
    public void Pearson_of_a_worked_example()
    {
        // x = 1,2,3,4; y = 2,4,5,4: deviations -1.5,-0.5,0.5,1.5 and -1.75,0.25,1.25,0.25;
        // sxy = 2.625+(-0.125)+0.625+0.375 = 3.5, sxx = 5, syy = 3.0625+0.0625+1.5625+0.0625 = 4.75.
        Assert.Equal(3.5 / Math.Sqrt(5 * 4.75), Correlation.Pearson([1, 2, 3, 4], [2, 4, 5, 4]), 12);
    }

    [Fact]
    public void Spearman_ranks_ties_by_their_average()
    {
        Assert.Equal([1.0, 2.0, 3.5, 3.5, 5.0], Correlation.Ranks([10, 20, 30, 30, 40]));
        // A monotone but non-linear relation has rho = 1.
        Assert.Equal(1.0, Correlation.Spearman([1, 2, 3, 4], [1, 8, 27, 64]), 12);
        // scipy.stats.spearmanr([1,2,3,4],[2,4,5,4]): ranks of y are 1, 2.5, 4, 2.5 -> rho = 0.6324555320336759.
        Assert.Equal(0.6324555320336759, Correlation.Spearman([1, 2, 3, 4], [2, 4, 5, 4]), 12);
    }

    [Fact]
    public void The_kl_check_takes_models_of_one_tokenizer_from_each_family_in_turn()
    {
        var cards = new Dictionary<string, JsonObject>
        {
            ["a1"] = Card("a", "bytes"), ["a2"] = Card("a", "bytes"), ["a3"] = Card("a", "bytes"),
            ["b1"] = Card("b", "bytes"), ["c1"] = Card("c", "bpe4k"),
        };
        var chosen = ZooChecks.ChooseModels([.. cards.Keys], cards, new ZooCheckOptions(MonteCarloModels: 3));
        Assert.Equal(["a1", "b1", "a2"], chosen);
    }

    private static JsonObject Card(string family, string tokenizer) => new() { ["family"] = family, ["tokenizer"] = tokenizer };
}
