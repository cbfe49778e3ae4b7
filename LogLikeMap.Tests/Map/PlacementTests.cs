using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>Placing a model on an existing map (openTSNE's transform of one point) without moving anyone.</summary>
public class PlacementTests
{
    private static readonly (LogLikelihoodMatrix Matrix, int[] Family) Families =
        ClusteredModels.Create(families: 5, perFamily: 21, texts: 120, seed: 13);

    [Fact]
    public void AHeldOutModelLandsAmongItsFamilyAndNobodyMoves()
    {
        // Hold out the last model of every family in turn; map the rest; place it.
        foreach (var heldOut in new[] { 20, 62, 104 })
        {
            var (map, raw) = MapWithout(heldOut);
            var before = map.Layout.ToArray();
            var placed = map.Place(raw);

            Assert.True(placed.Provisional);
            Assert.Equal(before, map.Layout);
            var family = Families.Family[heldOut];
            var nearestOnMap = Enumerable.Range(0, map.ModelCount)
                .OrderBy(j => Math.Pow(map.Layout[j].X - placed.Position.X, 2) + Math.Pow(map.Layout[j].Y - placed.Position.Y, 2))
                .Take(10)
                .Select(j => FamilyOnMap(j, heldOut));
            Assert.All(nearestOnMap, f => Assert.Equal(family, f));
        }
    }

    [Fact]
    public void ThePlacedModelsNeighboursAndKlAreThoseOfAFullRecentring()
    {
        // Column centring shifts every row alike (docs/method.md §1.4), so the new model's KL to the others
        // equals N Var(L_new - L_j) / 2N computed straight from the (unclipped here) raw vectors.
        const int heldOut = 40;
        var (map, raw) = MapWithout(heldOut);
        var placed = map.Place(raw);
        var n = Families.Matrix.TextCount;
        var expected = Enumerable.Range(0, map.ModelCount).Select(j =>
        {
            var other = Families.Matrix.Row(j < heldOut ? j : j + 1).ToArray();
            var diff = raw.Zip(other, (a, b) => a - b).ToArray();
            var mean = diff.Average();
            return (Model: j, Kl: diff.Sum(d => (d - mean) * (d - mean)) / n * n / (2.0 * n));
        }).OrderBy(x => x.Kl).Take(map.Options.NeighbourCount).ToArray();

        Assert.Equal(expected.Select(e => e.Model), placed.Neighbours.Select(p => p.Model));
        for (var r = 0; r < expected.Length; r++)
            Assert.Equal(expected[r].Kl, placed.Neighbours[r].KlNats, expected[r].Kl * 1e-10);
    }

    [Fact]
    public void ACancelledPlacementThrows()
    {
        var (map, raw) = MapWithout(3);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => map.Place(raw, cancel.Token));
    }

    /// <summary>The map of every model but one (clip percentile 0: nothing clipped) and the held-out raw vector.</summary>
    private static (ModelMap Map, double[] Raw) MapWithout(int heldOut)
    {
        var matrix = Families.Matrix;
        var keep = Enumerable.Range(0, matrix.ModelCount).Where(i => i != heldOut).ToArray();
        var reduced = new LogLikelihoodMatrix(keep.Select(i => matrix.ModelNames[i]).ToArray(), matrix.TextCount,
            keep.SelectMany(i => matrix.Row(i).ToArray()).ToArray());
        var map = ModelMapBuilder.Build(reduced, new MapOptions { ClipPercentile = 0 }, null, CancellationToken.None);
        return (map, matrix.Row(heldOut).ToArray());
    }

    private static int FamilyOnMap(int index, int heldOut) => Families.Family[index < heldOut ? index : index + 1];
}
