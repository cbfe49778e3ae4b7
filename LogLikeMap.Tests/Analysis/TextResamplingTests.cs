using System.CommandLine;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Tests.Map;

namespace LogLikeMap.Tests.Analysis;

public sealed class TextResamplingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loglikemap-resample-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void EveryTextOnceWithUnitWeightGivesQItself()
    {
        // c_t = 1, n = N, π = 1/N: w_t = 1 and the weighted row mean is the row mean of Q, which is 0.
        var q = Coordinates(seed: 3);
        var all = new ResampledTexts([.. Enumerable.Range(0, q.TextCount)], [.. Enumerable.Repeat(1, q.TextCount)],
            [.. Enumerable.Repeat(1.0, q.TextCount)], q.TextCount);
        var reduced = TextResampling.Coordinates(q, all);
        for (var i = 0; i < q.ModelCount; i++)
        {
            for (var s = 0; s < q.TextCount; s++)
                Assert.Equal(q.Row(i)[s], reduced[(i * q.TextCount) + s], 1e-9);
        }
    }

    [Fact]
    public void WeightedDistanceIsTheHansenHurwitzSumByHand()
    {
        // Two models, texts 1 and 3 drawn (counts 2 and 1 of n = 3 draws, π = 0.5 and 0.25):
        // |q̃_0 - q̃_1|² = Σ_t w_t² (e_t - ē_w)², e = Q_0 - Q_1 on the drawn texts, ē_w weighted by w².
        var matrix = new LogLikelihoodMatrix(["a", "b"], 4, [-10, -12, -9, -20, -11, -15, -10, -16]);
        var q = CentredLogLikelihoods.FromMatrix(matrix, 0);
        var texts = new ResampledTexts([1, 3], [2, 1], [Math.Sqrt(2 / (3 * 0.5)), Math.Sqrt(1 / (3 * 0.25))], 3);
        var reduced = TextResampling.Coordinates(q, texts);

        double[] e = [q.Row(0)[1] - q.Row(1)[1], q.Row(0)[3] - q.Row(1)[3]];
        double[] w2 = [2 / 1.5, 1 / 0.75];
        var mean = ((w2[0] * e[0]) + (w2[1] * e[1])) / (w2[0] + w2[1]);
        var expected = (w2[0] * (e[0] - mean) * (e[0] - mean)) + (w2[1] * (e[1] - mean) * (e[1] - mean));
        var actual = Math.Pow(reduced[0] - reduced[2], 2) + Math.Pow(reduced[1] - reduced[3], 2);
        Assert.Equal(expected, actual, 1e-9);
    }

    [Fact]
    public void VarianceDrawsEstimateTheFullDistancesOnAverage()
    {
        // Hansen-Hurwitz: over many draws the mean of |q̃_i - q̃_j|² is close to |q_i - q_j|² (the stopping rule at a
        // number of distinct texts adds a small bias; 5% over 300 draws of 40 of 200 texts).
        var q = Coordinates(seed: 11);
        var probabilities = TextResampling.Probabilities(q, TextSampling.Variance);
        double sum = 0;
        const int repeats = 300;
        for (uint seed = 0; seed < repeats; seed++)
        {
            var texts = TextResampling.Draw(probabilities, 40, seed);
            var reduced = TextResampling.Coordinates(q, texts);
            var d = texts.Columns.Length;
            sum += SquaredDistances.Exact(reduced.AsSpan(0, d), reduced.AsSpan(5 * d, d));
        }
        var full = SquaredDistances.Exact(q.Row(0), q.Row(5));
        Assert.Equal(full, sum / repeats, full * 0.05);
    }

    [Fact]
    public void TheVarianceRuleDrawsHighVarianceTextsMoreOften()
    {
        var q = Coordinates(seed: 5);
        var variance = TextVariance.AcrossModels(q);
        var probabilities = TextResampling.Probabilities(q, TextSampling.Variance);
        Assert.Equal(1.0, probabilities.Sum(), 1e-12);
        var top = Enumerable.Range(0, q.TextCount).MaxBy(s => variance[s]);
        Assert.Equal(top, Enumerable.Range(0, q.TextCount).MaxBy(s => probabilities[s]));
        var texts = TextResampling.Draw(probabilities, 30, 42);
        Assert.Equal(30, texts.Columns.Length);
        Assert.Equal(texts.Draws, texts.Counts.Sum());
    }

    [Fact]
    public async Task ResampleWritesTheTextsTheirWeightsAndTheCurve()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "demo-map");
        var output = Path.Combine(_folder, "texts-40.jsonl");
        var root = new RootCommand();
        root.Subcommands.Add(new Command("textset") { TextSetResampleCommand.Create() });

        var exit = await root.Parse(["textset", "resample", "--loglik", Path.Combine(folder, "results"), "--texts", Path.Combine(folder, "texts.jsonl"),
            "--size", "40", "--neighbours", "3", "--out", output]).InvokeAsync();

        Assert.Equal(0, exit);
        var kept = await TextSetFile.ReadAsync(output, CancellationToken.None);
        Assert.Equal(40, kept.Count);
        var weights = await File.ReadAllLinesAsync(output + ".weights.csv");
        Assert.Equal(kept.Indices.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), weights.Skip(1).Select(l => l.Split(',')[0]));
        var report = await File.ReadAllLinesAsync(output + ".report.csv");
        Assert.Equal("sampling,texts,draws,kl_spearman,neighbour_overlap", report[0]);
        Assert.Contains(report, l => l.StartsWith("variance,40,", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("uniform,40,", StringComparison.Ordinal));
    }

    private static CentredLogLikelihoods Coordinates(int seed)
    {
        var (matrix, _) = ClusteredModels.Create(families: 3, perFamily: 6, texts: 200, seed: seed);
        return CentredLogLikelihoods.FromMatrix(matrix, 2);
    }
}
