using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// A map redrawn from a stored layout: shown at once, without its Gram matrix; its neighbours once the matrix is
/// added equal a brute-force oracle written here (double-centre by hand, measure every pair, sort), models placed
/// and removed in between included.
/// </summary>
public sealed class MapStateNeighbourTests
{
    private const int Texts = 40;

    [Fact]
    public void A_redrawn_map_shows_every_point_before_its_neighbours_are_ready_and_exact_neighbours_after()
    {
        var random = new Random(7);
        var raw = Enumerable.Range(0, 14).Select(_ => Enumerable.Range(0, Texts).Select(_ => -50 - 30 * random.NextDouble()).ToArray()).ToArray();
        var laidOut = raw[..12];
        var names = Enumerable.Range(0, raw.Length).Select(i => $"org/model-{i}").ToArray();

        // Nothing clipped (TestMapStates.Redrawn), so the oracle needs no percentile.
        var state = TestMapStates.Redrawn(names[..12], laidOut, [.. Enumerable.Range(0, 12).Select(i => new MapPoint(i, -i))], withNeighbours: false);
        var cards = TestMapStates.Cards(names, raw);
        state = state.With(state.Map.Place(names[12], raw[12], new MapPoint(0.5, 0.5), CancellationToken.None), cards);
        state = state.With(state.Map.Place(names[13], raw[13], new MapPoint(1.5, 0.5), CancellationToken.None), cards);
        state = state.With(state.Map.Remove(names[3]));
        state = state.With(state.Map.Remove(names[8]));
        var shown = Enumerable.Range(0, raw.Length).Where(i => i != 3 && i != 8).ToArray();

        Assert.Equal(shown.Select(i => names[i]), state.Snapshot.Models.Select(m => m.Name));
        var seventh = state.Snapshot.Models.Single(m => m.Name == names[7]);
        Assert.Equal((7.0, -7.0), (seventh.X, seventh.Y));
        Assert.False(state.NeighboursReady);
        Assert.False(state.TryGetNeighbours(names[0], 3, out var none));
        Assert.Null(none);

        state = state.With(state.Map.WithDistances(SquaredDistances.Build(state.LaidOut!, CancellationToken.None)));

        Assert.True(state.NeighboursReady);
        var columnMeans = Enumerable.Range(0, Texts).Select(s => laidOut.Average(r => r[s] - r.Average())).ToArray();
        var q = raw.Select(r => r.Select((x, s) => x - r.Average() - columnMeans[s]).ToArray()).ToArray();
        foreach (var self in shown)
        {
            foreach (var k in new[] { 1, 5, 11 })
            {
                var expected = shown.Where(j => j != self)
                    .Select(j => (Name: names[j], Kl: q[self].Zip(q[j], (a, b) => (a - b) * (a - b)).Sum() / (2.0 * Texts)))
                    .OrderBy(p => p.Kl).Take(k).ToArray();
                Assert.True(state.TryGetNeighbours(names[self], k, out var found));
                Assert.Equal(expected.Select(e => e.Name), found.Select(n => n.Name));
                Assert.Equal(Enumerable.Range(1, k), found.Select(n => n.Rank));
                foreach (var (neighbour, (_, kl)) in found.Zip(expected))
                {
                    Assert.Equal(kl, neighbour.KlNats, 1e-9 * kl);
                    Assert.Equal(kl / (1000 * Math.Log(2)), Assert.NotNull(neighbour.KlBitsPerByte), 1e-9 * kl);
                }
            }
        }
    }
}
