using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>
/// The neighbour index (Gram-matrix query over a layout, less models removed since, plus models placed since)
/// against a brute-force oracle written here: double-centre by hand, measure every pair, sort.
/// </summary>
public sealed class NeighbourIndexTests
{
    private const int Texts = 40;

    [Fact]
    public void Neighbours_equal_a_brute_force_scan_with_models_placed_and_removed_since_the_layout()
    {
        var random = new Random(7);
        var raw = Enumerable.Range(0, 14).Select(_ => Enumerable.Range(0, Texts).Select(_ => -50 - 30 * random.NextDouble()).ToArray()).ToArray();
        var laidOut = raw[..12];

        // Clip percentile 0: the threshold is the smallest value, so nothing is clipped and the oracle needs no percentile.
        var q = CentredLogLikelihoods.FromMatrix(
            new LogLikelihoodMatrix([.. Enumerable.Range(0, 12).Select(i => $"m{i}")], Texts, [.. laidOut.SelectMany(r => r)]), 0);
        // Shown in another order than the layout's rows, without rows 3 and 8, with models 12 and 13 placed in between.
        var shownModels = new[] { 11, 12, 0, 1, 2, 4, 5, 13, 6, 7, 9, 10 };
        var rows = shownModels.Select(m => m < 12 ? new MapRow(m, null) : new MapRow(-1, q.CentreNewModel(raw[m]))).ToArray();
        var index = new NeighbourIndex(q, SquaredDistances.Build(q, CancellationToken.None), rows);

        var columnMeans = Enumerable.Range(0, Texts).Select(s => laidOut.Average(r => r[s] - r.Average())).ToArray();
        var oracleQ = raw.Select(r => r.Select((x, s) => x - r.Average() - columnMeans[s]).ToArray()).ToArray();

        Assert.Equal(shownModels.Length, index.ModelCount);
        for (var self = 0; self < shownModels.Length; self++)
        {
            foreach (var k in new[] { 1, 5, 11, 20 })
            {
                var expected = Enumerable.Range(0, shownModels.Length).Where(j => j != self)
                    .Select(j => (Shown: j, Kl: oracleQ[shownModels[self]].Zip(oracleQ[shownModels[j]], (a, b) => (a - b) * (a - b)).Sum() / (2.0 * Texts)))
                    .OrderBy(p => p.Kl).Take(k).ToArray();
                var found = index.Nearest(self, k);
                Assert.Equal(expected.Select(e => e.Shown), found.Select(n => n.Model));
                foreach (var (neighbour, (_, kl)) in found.Zip(expected))
                    Assert.Equal(kl, KlEstimate.NatsPerText(neighbour.SquaredDistance, Texts), 1e-9 * kl);
            }
        }
    }

    [Fact]
    public void A_layout_row_shown_twice_is_refused()
    {
        var q = CentredLogLikelihoods.FromMatrix(new LogLikelihoodMatrix(["a", "b", "c"], 2, [-1, -2, -3, -1, -2, -2]), 0);
        var distances = SquaredDistances.Build(q, CancellationToken.None);

        var error = Assert.Throws<ArgumentException>(() => new NeighbourIndex(q, distances, [new(0, null), new(1, null), new(1, null)]));
        Assert.Contains("Row 1", error.Message, StringComparison.Ordinal);
    }
}
