using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>
/// Small maps stay readable: the perplexity adapts to the number of models, points that would coincide are moved
/// apart just enough to show and click each, and copies of one vector placed later land together.
/// </summary>
public sealed class SmallMapTests
{
    [Theory]
    [InlineData(30, 46, 15)]      // (46 - 1) / 3
    [InlineData(30, 106, 30)]     // the built-in map
    [InlineData(30, 91, 30)]      // from 91 models the paper's 30 stands
    [InlineData(30, 1018, 30)]
    [InlineData(30, 4, 1)]
    [InlineData(30, 2, 1)]
    [InlineData(5, 40, 5)]        // a smaller perplexity asked for is kept
    public void The_perplexity_is_at_most_a_third_of_the_other_models(double asked, int models, double used) =>
        Assert.Equal(used, new TsneOptions { Perplexity = asked }.PerplexityFor(models));

    [Fact]
    public void Points_far_enough_apart_do_not_move()
    {
        MapPoint[] layout = [new(0, 0), new(10, 0), new(0, 10), new(10, 10), new(5, 5)];

        Assert.Equal(layout, PointSeparation.Separate(layout));
    }

    [Fact]
    public void Coincident_points_are_moved_apart_to_the_minimum_separation_and_stay_where_they_were()
    {
        // Eight models on one spot and two on another, in a map 100 units wide: 1.5 units between points.
        MapPoint[] layout = [new(0, 0), new(100, 100), .. Enumerable.Repeat(new MapPoint(40, 60), 8), new MapPoint(70, 20), new MapPoint(70, 20)];
        var d = 0.015 * 100;

        var separated = PointSeparation.Separate(layout);

        for (var i = 0; i < separated.Length; i++)
        {
            for (var j = i + 1; j < separated.Length; j++)
                Assert.True(Distance(separated[i], separated[j]) >= d, $"points {i} and {j} are {Distance(separated[i], separated[j])} apart");
        }
        Assert.Equal(layout[..2], separated[..2]);
        Assert.All(separated[2..10], p => Assert.True(Distance(p, new MapPoint(40, 60)) <= 2 * d, $"{p} left the spot (40, 60)"));
        Assert.All(separated[10..], p => Assert.True(Distance(p, new MapPoint(70, 20)) <= d, $"{p} left the spot (70, 20)"));
    }

    [Fact]
    public void Families_that_t_SNE_puts_on_one_spot_show_every_model_on_a_small_map()
    {
        // 4 families of 5 models whose members differ by a hundredth of a nat: t-SNE gives each family one spot.
        var (matrix, family) = ClusteredModels.Create(families: 4, perFamily: 5, texts: 60, seed: 3, separation: 40);
        var values = matrix.Values.ToArray();
        for (var i = 0; i < matrix.ModelCount; i++)
        {
            for (var s = 0; s < matrix.TextCount; s++)
                values[(i * matrix.TextCount) + s] = matrix.Values[(family[i] * 5 * matrix.TextCount) + s] + (0.01 * i);
        }
        var close = new LogLikelihoodMatrix(matrix.ModelNames, matrix.TextCount, values);
        var map = ModelMapBuilder.Build(close, new MapOptions(), null, CancellationToken.None);

        var separated = PointSeparation.Separate(map.Layout);

        var d = PointSeparation.MinimumSeparation(map.Layout);
        var closest = Enumerable.Range(0, separated.Length).SelectMany(i => Enumerable.Range(i + 1, separated.Length - i - 1)
            .Select(j => Distance(separated[i], separated[j]))).Min();
        Assert.True(closest >= d, $"closest pair {closest} < {d}");
        Assert.Equal(1.0, ClusteredModels.OneNearestNeighbourAccuracy(separated, family));
    }

    [Fact]
    public void Copies_of_one_vector_placed_one_after_another_land_together_around_it_not_on_a_line()
    {
        var random = new Random(11);
        const int texts = 30;
        var raw = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, texts).Select(_ => -50 - (30 * random.NextDouble())).ToArray()).ToArray();
        var names = Enumerable.Range(0, 12).Select(i => $"org/model-{i}").ToArray();
        var matrix = new LogLikelihoodMatrix(names, texts, [.. raw.SelectMany(r => r)]);
        var map = LiveMap.LayOut(matrix, [], new MapOptions(), null, CancellationToken.None);
        var original = map.Models.Single(m => m.Name == names[4]).Position;
        MapPoint[] before = [.. map.Models.Select(m => m.Position)];

        for (var copy = 0; copy < 6; copy++)
            map = map.Place($"copy/{copy}", raw[4], null, CancellationToken.None);

        var all = map.Models.Select(m => m.Position).ToArray();
        var copies = all[^6..];
        var d = PointSeparation.MinimumSeparation(before, extra: 1);
        Assert.Equal(before, all[..^6]);
        // Together: each copy in the first two rings around the original (radius 2 d)...
        Assert.All(copies, p => Assert.True(Distance(p, original) <= (2 * d) + 1e-9, $"{p} is far from the original"));
        // ...each visible...
        for (var i = 0; i < all.Length; i++)
        {
            for (var j = i + 1; j < all.Length; j++)
                Assert.True(Distance(all[i], all[j]) >= d * (1 - 1e-9), $"points {i} and {j} overlap");
        }
        // ...and spread in both directions, not along a line: the smaller principal spread is comparable to the larger.
        var (mx, my) = (copies.Average(p => p.X), copies.Average(p => p.Y));
        var (sxx, syy, sxy) = (copies.Average(p => (p.X - mx) * (p.X - mx)), copies.Average(p => (p.Y - my) * (p.Y - my)), copies.Average(p => (p.X - mx) * (p.Y - my)));
        var root = Math.Sqrt((((sxx - syy) / 2) * ((sxx - syy) / 2)) + (sxy * sxy));
        var (large, small) = (((sxx + syy) / 2) + root, ((sxx + syy) / 2) - root);
        Assert.True(small >= 0.2 * large, $"the copies lie along a line: spreads {large} and {small}");
    }

    private static double Distance(MapPoint a, MapPoint b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));
}
