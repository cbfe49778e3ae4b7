using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Analysis;

public sealed class PredictCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loglikemap-predict-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ThePaperSamplePickleGivesScikitLearnsCorrelationsAndTheSameFilesTwice()
    {
        var first = Path.Combine(_folder, "first");
        var second = Path.Combine(_folder, "second");

        Assert.Equal(0, await Invoke("predict", "--loglik", PaperDataFiles.SampleModelData, "--group-column", "model_type", "--out", first));
        Assert.Equal(0, await Invoke("predict", "--loglik", PaperDataFiles.SampleModelData, "--group-column", "model_type", "--out", second));

        foreach (var file in new[] { "summary.json", "predictions.csv", "unscored.csv", "leakage.csv" })
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(first, file)), await File.ReadAllTextAsync(Path.Combine(second, file)));

        // Pearson r per seed over scikit-learn's own held-out predictions, averaged over the 5 seeds.
        var reference = SklearnReference.Predictions("sample_predictions.csv").Where(r => r.Cv == "groupkfold").ToList();
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(first, "summary.json")));
        var targets = summary.RootElement.GetProperty("targets");
        foreach (var target in new[] { "ARC", "GSM8K", "6-taskmean", "mean_logp" })
        {
            var expected = Enumerable.Range(0, 5).Average(seed =>
            {
                var rows = reference.Where(r => r.Target == target && r.Seed == seed).ToList();
                return Pearson([.. rows.Select(r => r.True)], [.. rows.Select(r => r.Predicted)]);
            });
            Assert.Equal(expected, targets.GetProperty(target).GetProperty("pearson").GetDouble(), 1e-6);
            Assert.Equal(24, targets.GetProperty(target).GetProperty("n").GetInt32());
        }

        var predictions = await File.ReadAllLinesAsync(Path.Combine(first, "predictions.csv"));
        Assert.Equal("model,target,seed,fold,true,predicted", predictions[0]);
        Assert.Equal(reference.Count + 1, predictions.Length);
        // 36 of the 60 models lack a score: each gets all 8 targets, inside its interval.
        var unscored = (await File.ReadAllLinesAsync(Path.Combine(first, "unscored.csv"))).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(36 * 8, unscored.Count);
        foreach (var row in unscored)
        {
            var (predicted, lower, upper) = (Number(row[2]), Number(row[3]), Number(row[4]));
            Assert.True(lower <= predicted && predicted <= upper && lower < upper, string.Join(',', row));
        }

        // Every model is checked for leakage; its residual is its mean log-likelihood less what its scores imply.
        var leakage = (await File.ReadAllLinesAsync(Path.Combine(first, "leakage.csv"))).ToList();
        Assert.Equal("model,mean_logp,implied,residual,robust_z,flagged", leakage[0]);
        Assert.Equal(60, leakage.Count - 1);
        foreach (var row in leakage.Skip(1).Select(l => l.Split(',')))
            Assert.Equal(Number(row[1]) - Number(row[2]), Number(row[3]), 1e-9);
    }

    [Fact]
    public async Task ACsvWithAFamilyColumnHoldsOutFamilies()
    {
        var output = Path.Combine(_folder, "out");

        Assert.Equal(0, await Invoke("predict", "--loglik", SklearnReference.File("synthetic_matrix.csv"),
            "--scores", SklearnReference.File("synthetic_scores.csv"), "--group-column", "family", "--out", output));

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json")));
        Assert.Equal(["task_a", "task_b", "mean_logp"], summary.RootElement.GetProperty("targets").EnumerateObject().Select(p => p.Name));
        // Scores that follow the positions are predicted from them on held-out families (the fixture's r is about 0.8).
        Assert.True(summary.RootElement.GetProperty("targets").GetProperty("task_a").GetProperty("pearson").GetDouble() > 0.6);
    }

    [Fact]
    public async Task AMatrixWithoutScoresIsRefusedSayingWhatToGive()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await Invoke("predict", "--loglik", SklearnReference.File("synthetic_matrix.csv"), "--out", Path.Combine(_folder, "out")));
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.Contains("--scores", error.ToString(), StringComparison.Ordinal);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    private static Task<int> Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(PredictCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}
