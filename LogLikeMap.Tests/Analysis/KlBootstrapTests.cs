using System.Globalization;
using System.Text.Json;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Analysis;

/// <summary>The bootstrap interval of KL against numpy (bench/kl_bootstrap_reference.py → TestData/Analysis/kl-bootstrap.json).</summary>
public sealed class KlBootstrapTests
{
    [Fact]
    public void EstimateAndIntervalAreNumpys()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "Map", "numpy-reference", "matrix.csv"))
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var matrix = new LogLikelihoodMatrix([.. rows.Select((_, i) => $"m{i}")], rows[0].Length, [.. rows.SelectMany(r => r)]);
        var q = CentredLogLikelihoods.FromMatrix(matrix, 2);
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Analysis", "kl-bootstrap.json")));

        foreach (var c in reference.RootElement.GetProperty("cases").EnumerateArray())
        {
            var interval = KlBootstrap.Interval(q.Row(c.GetProperty("i").GetInt32()), q.Row(c.GetProperty("j").GetInt32()),
                c.GetProperty("resamples").GetInt32(), 0.95, c.GetProperty("seed").GetUInt32());
            var kl = c.GetProperty("kl").GetDouble();
            Assert.Equal(kl, interval.KlNats, kl * 1e-10);
            Assert.Equal(c.GetProperty("lower").GetDouble(), interval.LowerNats, kl * 1e-10);
            Assert.Equal(c.GetProperty("upper").GetDouble(), interval.UpperNats, kl * 1e-10);
            // The estimate is |q_i - q_j|^2 / 2N, the map's own KL.
            Assert.Equal(KlEstimate.NatsPerText(SquaredDistances.Exact(q.Row(c.GetProperty("i").GetInt32()), q.Row(c.GetProperty("j").GetInt32())), q.TextCount), interval.KlNats, kl * 1e-10);
        }
    }

    [Fact]
    public void IdenticalModelsHaveAZeroWidthInterval()
    {
        double[] q = [1, -2, 3, -2];
        var interval = KlBootstrap.Interval(q, q);
        Assert.Equal((0.0, 0.0, 0.0), (interval.KlNats, interval.LowerNats, interval.UpperNats));
    }
}
