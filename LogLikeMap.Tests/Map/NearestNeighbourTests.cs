using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

public class NearestNeighbourTests
{
    [Fact]
    public void AllListsEqualBruteForceOverTheVarianceFormula()
    {
        var (matrix, _) = ClusteredModels.Create(families: 5, perFamily: 12, texts: 257, seed: 3);
        var map = ModelMapBuilder.Build(matrix, SmallOptions(neighbours: 7), null, CancellationToken.None);
        for (var i = 0; i < matrix.ModelCount; i++)
        {
            var expected = BruteForce(matrix, i, 7);
            Assert.Equal(expected.Select(e => e.Model), map.Neighbours[i].Select(n => n.Model));
            for (var r = 0; r < 7; r++)
                Assert.Equal(expected[r].Kl, map.Neighbours[i][r].KlNats, expected[r].Kl * 1e-10);
        }
    }

    [Fact]
    public void NearTwinsFarFromTheCentreKeepTheirExactDistance()
    {
        // Two groups far apart (|q|^2 ~ 1e10 per row) with members 1e-4 apart per text (d^2 ~ 2e-6):
        // |a|^2 + |b|^2 - 2ab would be off by ~1e-4, far more than d^2, so the engine must re-measure exactly.
        // What remains is the rounding of Q's entries themselves (1e4 x 1e-16 against differences of 1e-4),
        // about 1e-8 relative, which numpy shares; hence the 1e-6 tolerance here.
        const int texts = 100;
        var random = new Random(11);
        var direction = Enumerable.Range(0, texts).Select(_ => ClusteredModels.Gaussian(random) * 1e4).ToArray();
        var values = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var sign = i < 6 ? 1 : -1;
            values.AddRange(direction.Select(d => -500 + sign * d + 1e-4 * ClusteredModels.Gaussian(random)));
        }

        var matrix = new LogLikelihoodMatrix(Enumerable.Range(0, 12).Select(i => $"m{i}").ToArray(), texts, values.ToArray());
        var options = SmallOptions(neighbours: 5) with { ClipPercentile = 0 };
        var map = ModelMapBuilder.Build(matrix, options, null, CancellationToken.None);
        for (var i = 0; i < 12; i++)
        {
            var expected = BruteForce(matrix, i, 5);
            Assert.Equal(expected.Select(e => e.Model), map.Neighbours[i].Select(n => n.Model));
            for (var r = 0; r < 5; r++)
                Assert.Equal(expected[r].Kl, map.Neighbours[i][r].KlNats, expected[r].Kl * 1e-6);
        }
    }

    [Fact]
    public void ASingleQueryReturnsAsManyAsAskedInOrder()
    {
        var (matrix, _) = ClusteredModels.Create(families: 3, perFamily: 10, texts: 64, seed: 5);
        var map = ModelMapBuilder.Build(matrix, SmallOptions(neighbours: 3), null, CancellationToken.None);
        var expected = BruteForce(matrix, 4, 20);
        var found = map.NearestNeighbours(4, 20);
        Assert.Equal(expected.Select(e => e.Model), found.Select(n => n.Model));
        Assert.Equal(matrix.ModelNames[found[0].Model], found[0].Name);
    }

    /// <summary>
    /// The oracle: KL_ij = N Var(L_i - L_j) / 2N with a two-pass population variance straight from L (§1.4),
    /// without clipping (the tests use matrices whose 0th/2nd percentile changes nothing or clip explicitly off).
    /// </summary>
    private static (int Model, double Kl)[] BruteForce(LogLikelihoodMatrix matrix, int i, int k)
    {
        var n = matrix.TextCount;
        var threshold = Percentile.Of(matrix.Values, 0);
        return Enumerable.Range(0, matrix.ModelCount).Where(j => j != i).Select(j =>
        {
            var a = matrix.Row(i).ToArray();
            var b = matrix.Row(j).ToArray();
            var diff = a.Zip(b, (x, y) => Math.Max(x, threshold) - Math.Max(y, threshold)).ToArray();
            var mean = diff.Average();
            var variance = diff.Sum(d => (d - mean) * (d - mean)) / n;
            return (Model: j, Kl: n * variance / (2.0 * n));
        }).OrderBy(x => x.Kl).ThenBy(x => x.Model).Take(k).ToArray();
    }

    private static MapOptions SmallOptions(int neighbours) => new()
    {
        ClipPercentile = 0,
        NeighbourCount = neighbours,
        Tsne = new TsneOptions { Perplexity = 3, Iterations = 30 },
    };
}
