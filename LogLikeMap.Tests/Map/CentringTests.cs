using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>Double centring and the KL estimate on a matrix small enough to centre by hand (docs/method.md §1.4-1.5).</summary>
public class CentringTests
{
    // L (3 models x 4 texts). Row means 3, 2, 2, so the row-centred rows are
    //   xi_0 = [-2, -1, 0, 3], xi_1 = [0, 0, 0, 0], xi_2 = [-2, 3, -1, 0],
    // column means of xi = [-4/3, 2/3, -1/3, 1], and Q = xi - column means:
    //   q_0 = [-2/3, -5/3, 1/3, 2], q_1 = [4/3, -2/3, 1/3, -1], q_2 = [-2/3, 7/3, -2/3, -1].
    private static readonly LogLikelihoodMatrix Small = new(["a", "b", "c"], 4, [1, 2, 3, 6, 2, 2, 2, 2, 0, 5, 1, 2]);

    [Fact]
    public void DoubleCentringGivesTheHandWorkedQ()
    {
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 0);
        double[][] expected = [[-2.0 / 3, -5.0 / 3, 1.0 / 3, 2], [4.0 / 3, -2.0 / 3, 1.0 / 3, -1], [-2.0 / 3, 7.0 / 3, -2.0 / 3, -1]];
        for (var i = 0; i < 3; i++)
        {
            for (var s = 0; s < 4; s++)
                Assert.Equal(expected[i][s], q.Row(i)[s], 1e-14);
        }

        double[] columnMeans = [-4.0 / 3, 2.0 / 3, -1.0 / 3, 1];
        for (var s = 0; s < 4; s++)
            Assert.Equal(columnMeans[s], q.ColumnMeans[s], 1e-14);
    }

    [Fact]
    public void SquaredDistanceIsNTimesThePopulationVarianceOfTheDifference()
    {
        // L_a - L_b = [-1, 0, 1, 4]: mean 1, deviations [-2, -1, 0, 3], variance (ddof 0) 14/4, so N x Var = 14.
        var map = ModelMapBuilder.Build(Small, TinyMapOptions(), null, CancellationToken.None);
        Assert.Equal(14.0 / (2 * 4), map.Kl(0, 1), 1e-14);
        // L_a - L_c = [1, -3, 2, 4]: mean 1, deviations [0, -4, 1, 3], N x Var = 26.
        Assert.Equal(26.0 / (2 * 4), map.Kl(0, 2), 1e-14);
        Assert.Equal(map.Kl(2, 0), map.Kl(0, 2));
    }

    [Fact]
    public void ClippingRaisesOnlyValuesBelowTheGlobalPercentile()
    {
        // Sorted values [0, 1, 1, 2, 2, 2, 2, 2, 2, 3, 5, 6]; the 20th percentile sits at index 11 x 0.2 = 2.2,
        // between 1 and 2: 1 + 0.2 x (2 - 1) = 1.2.
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 20);
        Assert.Equal(1.2, q.ClipThreshold, 1e-12);
        // So a = [1, 2, 3, 6] becomes [1.2, 2, 3, 6] and c = [0, 5, 1, 2] becomes [1.2, 5, 1.2, 2]; b is untouched.
        var clipped = new LogLikelihoodMatrix(["a", "b", "c"], 4, [1.2, 2, 3, 6, 2, 2, 2, 2, 1.2, 5, 1.2, 2]);
        var expected = CentredLogLikelihoods.FromMatrix(clipped, clipPercentile: 0);
        for (var i = 0; i < 3; i++)
        {
            for (var s = 0; s < 4; s++)
                Assert.Equal(expected.Row(i)[s], q.Row(i)[s], 1e-12);
        }
    }

    [Fact]
    public void ANewModelIsCentredWithTheStoredThresholdAndColumnMeans()
    {
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 0);
        // New raw [3, 3, 3, 7]: own mean 4, row-centred [-1, -1, -1, 3], minus the column means [-4/3, 2/3, -1/3, 1].
        var placed = q.CentreNewModel([3, 3, 3, 7]);
        Assert.Equal(new[] { 1.0 / 3, -5.0 / 3, -2.0 / 3, 2 }.Select(v => Math.Round(v, 12)), placed.Select(v => Math.Round(v, 12)));
        // Values below the stored threshold (0 here) are raised to it: [-9, 3, 3, 7] counts as [0, 3, 3, 7].
        Assert.Equal(q.CentreNewModel([0, 3, 3, 7]), q.CentreNewModel([-9, 3, 3, 7]));
    }

    [Fact]
    public void ANewModelOfTheWrongLengthIsRefusedWithBothCounts()
    {
        var q = CentredLogLikelihoods.FromMatrix(Small, clipPercentile: 0);
        var ex = Assert.Throws<ArgumentException>(() => q.CentreNewModel([1, 2, 3]));
        Assert.Contains("3 log-likelihoods but the map has 4 texts", ex.Message);
    }

    [Fact]
    public void BitsPerByteMatchesThePapersSanityCheck()
    {
        // docs/method.md §3.4: 590.14 / (972.32 x ln 2) ≈ 0.876.
        Assert.Equal(0.876, KlEstimate.BitsPerByte(590.14, 972.32), 3);
    }

    private static MapOptions TinyMapOptions() => new()
    {
        ClipPercentile = 0,
        NeighbourCount = 2,
        PrincipalComponents = 2,
        Tsne = new TsneOptions { Perplexity = 1, Iterations = 50 },
    };
}
