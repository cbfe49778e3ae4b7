using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// The service's neighbour query (the engine's Gram-matrix query plus models placed and removed since the
/// layout) against a brute-force oracle written here: double-centre by hand, measure every pair, sort.
/// </summary>
public sealed class MapStateNeighbourTests
{
    private const int Texts = 40;

    [Fact]
    public void Neighbours_equal_a_brute_force_scan_after_models_are_placed_and_removed()
    {
        var random = new Random(7);
        var raw = Enumerable.Range(0, 14).Select(_ => Enumerable.Range(0, Texts).Select(_ => -50 - 30 * random.NextDouble()).ToArray()).ToArray();
        var laidOut = raw[..12];
        var names = Enumerable.Range(0, raw.Length).Select(i => $"org/model-{i}").ToArray();

        // Clip percentile 0: the threshold is the smallest value, so nothing is clipped and the oracle needs no percentile.
        var matrix = new LogLikelihoodMatrix(names[..12], Texts, [.. laidOut.SelectMany(r => r)]);
        var text = new MapText(1, "t", [.. Enumerable.Range(0, Texts).Select(i => (long)i)], new string?[Texts], 1000);
        var state = MapStateBuilder.FromStoredLayout(text, [.. names[..12].Select(Card)], matrix, 0,
            [.. Enumerable.Range(0, 12).Select(i => new MapPoint(i, -i))], 1, CancellationToken.None);
        state = MapStateBuilder.Place(state, Card(names[12]), raw[12], new MapPoint(0.5, 0.5), 3, CancellationToken.None);
        state = MapStateBuilder.Place(state, Card(names[13]), raw[13], new MapPoint(1.5, 0.5), 3, CancellationToken.None);
        state = MapStateBuilder.Remove(state, names[3]);
        state = MapStateBuilder.Remove(state, names[8]);

        var columnMeans = Enumerable.Range(0, Texts).Select(s => laidOut.Average(r => r[s] - r.Average())).ToArray();
        var q = raw.Select(r => r.Select((x, s) => x - r.Average() - columnMeans[s]).ToArray()).ToArray();
        var shown = Enumerable.Range(0, raw.Length).Where(i => i != 3 && i != 8).ToArray();

        foreach (var self in shown)
        {
            foreach (var k in new[] { 1, 5, 11 })
            {
                var expected = shown.Where(j => j != self)
                    .Select(j => (Name: names[j], Kl: q[self].Zip(q[j], (a, b) => (a - b) * (a - b)).Sum() / (2.0 * Texts)))
                    .OrderBy(p => p.Kl).Take(k).ToArray();
                var found = state.Neighbours(names[self], k);
                Assert.Equal(expected.Select(e => e.Name), found.Select(n => n.Name));
                Assert.Equal(Enumerable.Range(1, k), found.Select(n => n.Rank));
                foreach (var (neighbour, (_, kl)) in found.Zip(expected))
                {
                    Assert.Equal(kl, neighbour.KlNats, 1e-9 * kl);
                    Assert.Equal(kl / (1000 * Math.Log(2)), neighbour.KlBitsPerByte, 1e-9 * kl);
                }
            }
        }
    }

    private static ModelCard Card(string name) => new(name, "f", null, null, null);
}
