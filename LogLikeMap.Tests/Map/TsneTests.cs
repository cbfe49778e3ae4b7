using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>t-SNE outcomes on data whose structure is known by construction (openTSNE's style of test).</summary>
public class TsneTests
{
    private static readonly (LogLikelihoodMatrix Matrix, int[] Family) Families =
        ClusteredModels.Create(families: 6, perFamily: 25, texts: 120, seed: 7);

    [Fact]
    public void FamiliesStayTogetherOnTheMap()
    {
        var map = ModelMapBuilder.Build(Families.Matrix, new MapOptions(), null, CancellationToken.None);
        Assert.True(ClusteredModels.OneNearestNeighbourAccuracy(map.Layout, Families.Family) >= 0.98);
    }

    [Fact]
    public void ATrainingRunKeepsItsOrderOnTheMap()
    {
        // 120 checkpoints along a curved path in the full space: a checkpoint's full-space neighbours are the
        // checkpoints just before and after it, and the map should show the same ones.
        var matrix = CheckpointPath(count: 120, texts: 200, seed: 2);
        var map = ModelMapBuilder.Build(matrix, new MapOptions { NeighbourCount = 5 }, null, CancellationToken.None);
        var fullSpace = map.Neighbours.Select(list => (IReadOnlyList<int>)list.Select(n => n.Model).ToArray()).ToArray();
        Assert.True(LayoutQuality.NeighbourOverlap(map.Layout, fullSpace, 5) >= 0.8);
    }

    [Fact]
    public void TheSameInputGivesTheSameLayoutBitForBit()
    {
        var options = new MapOptions { Tsne = new TsneOptions { Iterations = 400 } };
        var first = ModelMapBuilder.Build(Families.Matrix, options, null, CancellationToken.None);
        var second = ModelMapBuilder.Build(Families.Matrix, options, null, CancellationToken.None);
        Assert.Equal(first.Layout, second.Layout);
    }

    [Fact]
    public void ARandomStartDependsOnlyOnTheSeed()
    {
        var seeded = new TsneOptions { Initialisation = TsneInitialisation.Random, Seed = 5, Iterations = 300 };
        var a = ModelMapBuilder.Build(Families.Matrix, new MapOptions { Tsne = seeded }, null, CancellationToken.None);
        var b = ModelMapBuilder.Build(Families.Matrix, new MapOptions { Tsne = seeded }, null, CancellationToken.None);
        var c = ModelMapBuilder.Build(Families.Matrix, new MapOptions { Tsne = seeded with { Seed = 6 } }, null, CancellationToken.None);
        Assert.Equal(a.Layout, b.Layout);
        Assert.NotEqual(a.Layout, c.Layout);
        Assert.True(ClusteredModels.OneNearestNeighbourAccuracy(c.Layout, Families.Family) >= 0.95);
    }

    [Fact]
    public void BarnesHutAndExactGradientsGiveMapsOfTheSameQuality()
    {
        var matrix = CheckpointPath(count: 120, texts: 200, seed: 4);
        var exact = ModelMapBuilder.Build(matrix, new MapOptions { NeighbourCount = 5, Tsne = new TsneOptions { Gradient = TsneGradient.Exact } }, null, CancellationToken.None);
        var barnesHut = ModelMapBuilder.Build(matrix, new MapOptions { NeighbourCount = 5, Tsne = new TsneOptions { Gradient = TsneGradient.BarnesHut } }, null, CancellationToken.None);
        var fullSpace = exact.Neighbours.Select(list => (IReadOnlyList<int>)list.Select(n => n.Model).ToArray()).ToArray();
        var exactOverlap = LayoutQuality.NeighbourOverlap(exact.Layout, fullSpace, 5);
        var barnesHutOverlap = LayoutQuality.NeighbourOverlap(barnesHut.Layout, fullSpace, 5);
        Assert.True(barnesHutOverlap >= 0.8, $"Barnes-Hut overlap {barnesHutOverlap}");
        Assert.True(Math.Abs(exactOverlap - barnesHutOverlap) <= 0.05, $"exact {exactOverlap} vs Barnes-Hut {barnesHutOverlap}");

        var families = ModelMapBuilder.Build(Families.Matrix, new MapOptions { Tsne = new TsneOptions { Gradient = TsneGradient.BarnesHut } }, null, CancellationToken.None);
        Assert.True(ClusteredModels.OneNearestNeighbourAccuracy(families.Layout, Families.Family) >= 0.98);
    }

    [Fact]
    public void ProgressReportsTheKlDivergenceFalling()
    {
        var reports = new List<MapProgress>();
        ModelMapBuilder.Build(Families.Matrix, new MapOptions(), new SynchronousProgress(reports.Add), CancellationToken.None);
        var layout = reports.Where(r => r.Stage == MapStage.Layout && r.KlDivergence is not null).ToArray();
        Assert.Equal(Enum.GetValues<MapStage>(), reports.Select(r => r.Stage).Distinct());
        Assert.Equal(50, layout[0].Iteration);
        // After early exaggeration ends (iteration 250) the reported KL is that of the true P; it must decrease.
        var after = layout.Where(r => r.Iteration > 300).ToArray();
        Assert.True(after[^1].KlDivergence < after[0].KlDivergence);
    }

    [Fact]
    public void CancellingStopsTheLayoutWithOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var last = 0;
        var progress = new SynchronousProgress(p =>
        {
            last = Math.Max(last, p.Iteration);
            if (p.Iteration >= 100)
                cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => ModelMapBuilder.Build(Families.Matrix, new MapOptions(), progress, cancel.Token));
        Assert.Equal(100, last);
    }

    /// <summary>Checkpoints i = 0..count-1 at t = i / count along a curve through three text directions.</summary>
    internal static LogLikelihoodMatrix CheckpointPath(int count, int texts, int seed)
    {
        var random = new Random(seed);
        var directions = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, texts).Select(_ => ClusteredModels.Gaussian(random)).ToArray()).ToArray();
        var values = new double[count * texts];
        for (var i = 0; i < count; i++)
        {
            var t = 4 * Math.PI * i / count;
            for (var s = 0; s < texts; s++)
                values[i * texts + s] = -500 + 30 * (t * directions[0][s] + 3 * Math.Sin(t) * directions[1][s] + 3 * Math.Cos(t) * directions[2][s])
                    + 0.5 * ClusteredModels.Gaussian(random);
        }

        return new LogLikelihoodMatrix(Enumerable.Range(0, count).Select(i => $"step-{i}").ToArray(), texts, values);
    }

    private sealed class SynchronousProgress(Action<MapProgress> report) : IProgress<MapProgress>
    {
        public void Report(MapProgress value) => report(value);
    }
}
