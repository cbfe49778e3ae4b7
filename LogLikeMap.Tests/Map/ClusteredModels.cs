using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>
/// Test matrices with known structure: families of models whose log-likelihood vectors share a family
/// direction (well separated) plus per-model noise, so the true neighbours of a model are its family.
/// </summary>
internal static class ClusteredModels
{
    public static (LogLikelihoodMatrix Matrix, int[] Family) Create(int families, int perFamily, int texts, int seed, double separation = 6)
    {
        var random = new Random(seed);
        var difficulty = Enumerable.Range(0, texts).Select(_ => -400 - 200 * random.NextDouble()).ToArray();
        var values = new double[families * perFamily * texts];
        var family = new int[families * perFamily];
        for (var f = 0; f < families; f++)
        {
            var centre = Enumerable.Range(0, texts).Select(_ => separation * Gaussian(random)).ToArray();
            for (var m = 0; m < perFamily; m++)
            {
                var i = f * perFamily + m;
                family[i] = f;
                var level = 20 * Gaussian(random);
                for (var s = 0; s < texts; s++)
                    values[i * texts + s] = difficulty[s] + centre[s] + level + Gaussian(random);
            }
        }

        var names = Enumerable.Range(0, family.Length).Select(i => $"family{family[i]}-model{i}").ToArray();
        return (new LogLikelihoodMatrix(names, texts, values), family);
    }

    /// <summary>Share of points whose nearest other point in the 2-D layout is of the same family.</summary>
    public static double OneNearestNeighbourAccuracy(IReadOnlyList<MapPoint> layout, int[] family)
    {
        var hits = 0;
        for (var i = 0; i < layout.Count; i++)
        {
            var nearest = Enumerable.Range(0, layout.Count).Where(j => j != i)
                .MinBy(j => Square(layout[i].X - layout[j].X) + Square(layout[i].Y - layout[j].Y));
            if (family[nearest] == family[i])
                hits++;
        }

        return hits / (double)layout.Count;
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Square(double v) => v * v;
}
