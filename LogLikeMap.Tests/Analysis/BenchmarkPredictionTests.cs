using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Formats;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Analysis;

/// <summary>
/// The whole prediction (clip, centring, outer folds, RidgeCV's alpha choice, ridge, clipping to [0, 100]) against
/// scikit-learn's RidgeCV run by bench/prediction_reference.py on the same files: every held-out prediction to 1e-6,
/// every chosen alpha exactly.
/// </summary>
public sealed class BenchmarkPredictionTests
{
    [Theory]
    [InlineData("groupkfold")]
    [InlineData("kfold")]
    public void SyntheticCsvMatchesScikitLearn(string cv)
    {
        var matrix = MatrixFiles.Read(SklearnReference.File("synthetic_matrix.csv"), CancellationToken.None);
        var grouped = ScoreTable.ReadCsv(SklearnReference.File("synthetic_scores.csv"), "family");
        var scores = cv == "groupkfold" ? grouped : grouped with { Groups = null };
        Assert.Equal(["task_a", "task_b", "mean_logp"], scores.Targets);

        var result = BenchmarkPrediction.Run(matrix, scores, new PredictionOptions(), CancellationToken.None);

        AssertMatches(SklearnReference.Predictions("synthetic_predictions.csv").Where(r => r.Cv == cv).ToList(), result);
        // The six models without task_b are predicted, not cross-validated.
        Assert.Equal(6 * 3, result.Unscored.Count);
        Assert.Equal(38, result.ScoredModels.Count);
    }

    [Theory]
    [InlineData("groupkfold")]
    [InlineData("kfold")]
    public void PaperSamplePickleMatchesScikitLearn(string cv)
    {
        var matrix = MatrixFiles.Read(PaperDataFiles.SampleModelData, CancellationToken.None);
        var scores = ScoreTable.FromPaperRecords(ModelDataFile.Read(PaperDataFiles.SampleModelData), cv == "groupkfold" ? "model_type" : null);

        var result = BenchmarkPrediction.Run(matrix, scores, new PredictionOptions(), CancellationToken.None);

        AssertMatches(SklearnReference.Predictions("sample_predictions.csv").Where(r => r.Cv == cv).ToList(), result);
        Assert.Equal(24, result.ScoredModels.Count);
    }

    [Fact]
    public void ClippingShowsInTheReference()
    {
        // The fixture is only a test of the clip if some predictions were clipped: task_b has true scores below 0.
        var rows = SklearnReference.Predictions("synthetic_predictions.csv");
        Assert.Contains(rows, r => r.Target == "task_b" && r.Predicted == 0);
        Assert.Contains(rows, r => r.Target == "mean_logp" && r.Predicted < 0);
    }

    [Fact]
    public void TheIntervalIsTheConformalRankOfTheHeldOutErrors()
    {
        // m = 9 errors, level 0.9: rank ceil(10 * 0.9) = 9, the largest; level 0.5: rank 5.
        double[] errors = [5, 1, 9, 3, 7, 2, 8, 4, 6];
        Assert.Equal(9, BenchmarkPrediction.ConformalHalfWidth(errors, 0.9));
        Assert.Equal(5, BenchmarkPrediction.ConformalHalfWidth(errors, 0.5));
    }

    [Fact]
    public void ScoresForModelsWithoutLogLikelihoodsAreRefusedByName()
    {
        var matrix = MatrixFiles.Read(SklearnReference.File("synthetic_matrix.csv"), CancellationToken.None);
        var scores = new ScoreTable(["a"], new Dictionary<string, double?[]> { ["org/unknown"] = [1.0] }, null);
        var error = Assert.Throws<InvalidDataException>(() => BenchmarkPrediction.Run(matrix, scores, new PredictionOptions(), CancellationToken.None));
        Assert.Contains("org/unknown", error.Message, StringComparison.Ordinal);
    }

    private static void AssertMatches(IReadOnlyList<SklearnReference.Row> expected, PredictionResult result)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, result.HeldOut.Count);
        var ours = result.HeldOut.ToDictionary(p => (p.Target, p.Seed, p.Fold, p.Model));
        foreach (var row in expected)
        {
            Assert.True(ours.TryGetValue((row.Target, row.Seed, row.Fold, row.Model), out var p),
                $"{row.Target} seed {row.Seed} fold {row.Fold}: {row.Model} is not held out here.");
            Assert.Equal(row.True, p!.True);
            Assert.True(row.Alpha == p.Alpha, $"{row.Target} seed {row.Seed} fold {row.Fold}: alpha {p.Alpha}, scikit-learn chose {row.Alpha}.");
            Assert.True(Math.Abs(row.Predicted - p.Predicted) <= 1e-6,
                $"{row.Target} seed {row.Seed} fold {row.Fold} {row.Model}: predicted {p.Predicted}, scikit-learn {row.Predicted}.");
        }
    }
}
