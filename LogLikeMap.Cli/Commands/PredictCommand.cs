using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap predict</c>: benchmark-score prediction from the coordinates (docs/method.md §3.1), cross-validated,
/// and a prediction with an interval for every model without scores.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var loglik = new Option<string>("--loglik")
        {
            Description = "The log-likelihoods: any matrix file 'import' reads; the release's model-data pickle carries its own scores.",
            Required = true,
        };
        var scoresPath = new Option<string?>("--scores")
        {
            Description = "CSV 'model,<target>,...' (empty field = missing); every column but the model and group columns is a target. " +
                "A target named mean_logp gets the paper's alphas 10^-4..10^4 and is not clipped. Optional for model-data pickles.",
        };
        var groupColumn = new Option<string?>("--group-column")
        {
            Description = "Hold out whole groups (GroupKFold, shuffled, scikit-learn 1.6) by this column, e.g. family; " +
                "model_type for the release's pickle. Without it: KFold(shuffle=True).",
        };
        var folds = new Option<int>("--folds") { Description = "Outer folds.", DefaultValueFactory = _ => 5 };
        var seeds = new Option<int>("--seeds") { Description = "Repetitions, random_state 0..seeds-1.", DefaultValueFactory = _ => 5 };
        var clip = new Option<double>("--clip-percentile") { Description = "Global lower clip of L before centring (percent).", DefaultValueFactory = _ => 2.0 };
        var output = new Option<string>("--out") { Description = "Folder for predictions.csv, summary.json and unscored.csv.", Required = true };

        var command = new Command("predict", "Predict benchmark scores from the log-likelihood coordinates (ridge, cross-validated as in the paper).")
        {
            loglik, scoresPath, groupColumn, folds, seeds, clip, output,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetValue(loglik)!, parse.GetValue(scoresPath), parse.GetValue(groupColumn),
            new PredictionOptions(parse.GetValue(folds), parse.GetValue(seeds), ClipPercentile: parse.GetValue(clip)),
            parse.GetValue(output)!, cancellationToken)));
        return command;
    }

    private static int Run(string loglikPath, string? scoresPath, string? groupColumn, PredictionOptions options, string outputFolder, CancellationToken cancellationToken)
    {
        if (options.Folds < 2 || options.Seeds < 1)
        {
            Console.Error.WriteLine($"--folds must be at least 2 and --seeds at least 1 (got {options.Folds} and {options.Seeds}).");
            return 2;
        }
        LogLikelihoodMatrix matrix;
        ScoreTable scores;
        try
        {
            matrix = MatrixFiles.Read(loglikPath, cancellationToken);
            scores = scoresPath is not null
                ? ScoreTable.ReadCsv(scoresPath, groupColumn)
                : ScoresInside(loglikPath, groupColumn);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException or ArgumentException)
        {
            Console.Error.WriteLine($"Cannot read the input: {ex.Message}");
            return 2;
        }

        PredictionResult result;
        try
        {
            result = BenchmarkPrediction.Run(matrix, scores, options, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Cannot predict: {ex.Message}");
            return 2;
        }

        Directory.CreateDirectory(outputFolder);
        WritePredictions(Path.Combine(outputFolder, "predictions.csv"), result);
        WriteUnscored(Path.Combine(outputFolder, "unscored.csv"), result);
        WriteSummary(Path.Combine(outputFolder, "summary.json"), result, options, groupColumn);
        WriteLeakage(Path.Combine(outputFolder, "leakage.csv"), matrix, scores, result);
        foreach (var (target, s) in result.Summary)
            Console.WriteLine(FormattableString.Invariant($"{target,-14} pearson {s.Pearson:F3} ± {s.PearsonStd:F3}  spearman {s.Spearman:F3} ± {s.SpearmanStd:F3}  n {s.Count}"));
        Console.Error.WriteLine($"Wrote predictions.csv, unscored.csv, leakage.csv and summary.json to '{outputFolder}'.");
        return 0;
    }

    private static ScoreTable ScoresInside(string path, string? groupColumn)
    {
        if (!path.EndsWith(".pkl", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".pickle", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"'{path}' carries no scores: give them with --scores CSV ('model,<target>,...').");
        try
        {
            return ScoreTable.FromPaperRecords(ModelDataFile.Read(path), groupColumn);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{ex.Message} Only the release's model-data pickle carries scores; give others with --scores CSV.", ex);
        }
    }

    private static void WritePredictions(string path, PredictionResult result)
    {
        var text = new StringBuilder("model,target,seed,fold,true,predicted\n");
        foreach (var p in result.HeldOut)
            text.Append(CultureInfo.InvariantCulture, $"{Exports.CsvField(p.Model)},{Exports.CsvField(p.Target)},{p.Seed},{p.Fold},{p.True:R},{p.Predicted:R}\n");
        File.WriteAllText(path, text.ToString());
    }

    private static void WriteUnscored(string path, PredictionResult result)
    {
        var text = new StringBuilder("model,target,predicted,lower,upper\n");
        foreach (var p in result.Unscored)
            text.Append(CultureInfo.InvariantCulture, $"{Exports.CsvField(p.Model)},{Exports.CsvField(p.Target)},{p.Predicted:R},{p.Lower:R},{p.Upper:R}\n");
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Every model's leakage check (<see cref="LeakageFlags"/>), flagged ones first, then by robust z.</summary>
    private static void WriteLeakage(string path, LogLikelihoodMatrix matrix, ScoreTable scores, PredictionResult result)
    {
        var text = new StringBuilder("model,mean_logp,implied,residual,robust_z,flagged\n");
        IReadOnlyList<LeakageCheck> checks;
        try
        {
            checks = LeakageFlags.FromPrediction(matrix, scores, result);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"No leakage check: {ex.Message}");
            return;
        }
        foreach (var c in checks.OrderByDescending(c => c.Flagged).ThenByDescending(c => c.RobustZ))
            text.Append(CultureInfo.InvariantCulture, $"{Exports.CsvField(c.Model)},{c.MeanLogLikelihood:R},{c.Implied:R},{c.Residual:R},{c.RobustZ:R},{(c.Flagged ? "true" : "false")}\n");
        File.WriteAllText(path, text.ToString());
        foreach (var c in checks.Where(c => c.Flagged))
            Console.WriteLine(FormattableString.Invariant($"leakage flag: {c.Model}: mean log-likelihood {c.MeanLogLikelihood:F1}, its scores imply {c.Implied:F1} (robust z {c.RobustZ:F1} > {LeakageFlags.DefaultThreshold})"));
    }

    private static void WriteSummary(string path, PredictionResult result, PredictionOptions options, string? groupColumn)
    {
        // Nothing machine- or time-dependent: a clean rerun writes the same bytes.
        var summary = new Dictionary<string, object?>
        {
            ["targets"] = result.Targets.ToDictionary(t => t, t => new Dictionary<string, object>
            {
                ["pearson"] = result.Summary[t].Pearson,
                ["spearman"] = result.Summary[t].Spearman,
                ["n"] = result.Summary[t].Count,
                ["pearson_std"] = result.Summary[t].PearsonStd,
                ["spearman_std"] = result.Summary[t].SpearmanStd,
            }),
            ["cv"] = result.Grouped ? $"GroupKFold(shuffle) by {groupColumn}" : "KFold(shuffle)",
            ["folds"] = options.Folds,
            ["seeds"] = options.Seeds,
            ["clip_percentile"] = options.ClipPercentile,
            ["models_scored"] = result.ScoredModels.Count,
            ["models_unscored"] = result.Unscored.Select(u => u.Model).Distinct().Count(),
            ["interval"] = $"mean of the seeds x folds models ± the split-conformal {options.IntervalLevel:P0} quantile of held-out absolute errors",
        };
        File.WriteAllText(path, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
    }
}
