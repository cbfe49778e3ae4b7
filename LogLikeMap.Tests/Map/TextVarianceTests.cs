using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>Per-text variance of Q's columns on a matrix small enough to clip and centre by hand (docs/method.md §1.3-1.4, §5.1).</summary>
public class TextVarianceTests
{
    // L (3 models x 3 texts):
    //   a = [-1, -4, -10], b = [-2, -2, -2], c = [-3, -6, -3].
    // Sorted values -10, -6, -4, -3, -3, -2, -2, -2, -1; numpy's 12.5th percentile sits at index 8 x 0.125 = 1,
    // so the clip threshold is -6 and only a's -10 is raised: a = [-1, -4, -6].
    // Row means -11/3, -2, -4; row-centred rows
    //   xi_a = [8/3, -1/3, -7/3], xi_b = [0, 0, 0], xi_c = [1, -2, 1].
    // Column centring subtracts one number per column, which leaves a column's variance as it is, so per text
    // (population variance over the 3 models):
    //   text 0: {8/3, 0, 1}, mean 11/9, deviations 13/9, -11/9, -2/9: (169 + 121 + 4) / 81 / 3 = 98/81
    //   text 1: {-1/3, 0, -2}, mean -7/9, deviations 4/9, 7/9, -11/9: (16 + 49 + 121) / 81 / 3 = 62/81
    //   text 2: {-7/3, 0, 1}, mean -4/9, deviations -17/9, 4/9, 13/9: (289 + 16 + 169) / 81 / 3 = 158/81
    private static readonly LogLikelihoodMatrix Small = new(["a", "b", "c"], 3, [-1, -4, -10, -2, -2, -2, -3, -6, -3]);

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var s = 0; s < expected.Length; s++)
            Assert.Equal(expected[s], actual[s], 1e-12);
    }

    [Fact]
    public void Variances_of_the_clipped_double_centred_columns_are_the_hand_worked_ones()
    {
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 12.5);

        var variances = TextVariance.AcrossModels(q);

        Assert.Equal(-6, q.ClipThreshold, 1e-12);
        AssertClose([98.0 / 81, 62.0 / 81, 158.0 / 81], variances);
    }

    [Fact]
    public void Clipping_changes_the_variance_of_the_clipped_text()
    {
        // Unclipped (the 0th percentile is the minimum), a = [-1, -4, -10] has mean -5 and centres to [4, 1, -5]:
        //   text 0: {4, 0, 1}, mean 5/3, deviations 7/3, -5/3, -2/3: (49 + 25 + 4) / 9 / 3 = 26/9
        //   text 1: {1, 0, -2}, mean -1/3, deviations 4/3, 1/3, -5/3: (16 + 1 + 25) / 9 / 3 = 14/9
        //   text 2: {-5, 0, 1}, mean -4/3, deviations -11/3, 4/3, 7/3: (121 + 16 + 49) / 9 / 3 = 62/9 (158/81 when clipped)
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 0);

        AssertClose([26.0 / 9, 14.0 / 9, 62.0 / 9], TextVariance.AcrossModels(q));
    }

    [Fact]
    public void A_model_placed_after_the_centring_counts_as_if_centred_with_the_others()
    {
        // New raw [0, -3, -6] is clipped at the stored -6 (nothing to raise), mean -3, row-centred [3, 0, -3].
        // With it the columns of the row-centred values are
        //   text 0: {8/3, 0, 1, 3}, mean 5/3, deviations 1, -5/3, -2/3, 4/3: (9 + 25 + 4 + 16) / 9 / 4 = 3/2
        //   text 1: {-1/3, 0, -2, 0}, mean -7/12, deviations 3/12, 7/12, -17/12, 7/12: (9 + 49 + 289 + 49) / 144 / 4 = 11/16
        //   text 2: {-7/3, 0, 1, -3}, mean -13/12, deviations -15/12, 13/12, 25/12, -23/12: (225 + 169 + 625 + 529) / 144 / 4 = 43/16
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 12.5);
        var placed = q.CentreNewModel([0, -3, -6]);

        var variances = TextVariance.AcrossModels(4, 3, i => i < 3 ? q.Row(i) : placed);

        AssertClose([3.0 / 2, 11.0 / 16, 43.0 / 16], variances);
    }

    [Fact]
    public void A_row_of_the_wrong_length_is_refused_with_both_counts()
    {
        var ex = Assert.Throws<ArgumentException>(() => TextVariance.AcrossModels(2, 3, i => i == 0 ? new double[3] : new double[2]));

        Assert.Contains("Model 1's row has 2 values but the map has 3 texts", ex.Message, StringComparison.Ordinal);
    }
}
