using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Components.Analysis;
using Plotly.Blazor.Traces;

namespace LogLikeMap.Tests.Web.Analysis;

public sealed class AnalysisFiguresTests
{
    [Fact]
    public void Predicted_against_true_plots_each_models_mean_held_out_prediction_with_the_diagonal()
    {
        // Two repetitions: model a predicted 10 then 14 (mean 12), b 30 then 31 (30.5); the other target is ignored.
        // The diagonal spans the lowest to the highest value shown, true or predicted: 11 to 30.5.
        HeldOutPrediction[] heldOut =
        [
            new("a", "acc", 0, 0, 11, 10, 1), new("b", "acc", 0, 1, 29, 30, 1),
            new("a", "acc", 1, 1, 11, 14, 1), new("b", "acc", 1, 0, 29, 31, 1),
            new("a", "cloze", 0, 0, 5, 50, 1),
        ];
        var prediction = new PredictionResult(["acc", "cloze"], ["a", "b"], true, heldOut, new Dictionary<string, TargetSummary>(), [], 0.9);

        var figure = AnalysisFigures.PredictedAgainstTrue(prediction, "acc");

        var diagonal = Assert.IsType<Scatter>(figure.Data[0]);
        Assert.Equal([11.0, 30.5], diagonal.X.Cast<double>());
        Assert.Equal(diagonal.X, diagonal.Y);
        var models = Assert.IsType<Scatter>(figure.Data[1]);
        Assert.Equal([11.0, 29], models.X.Cast<double>());
        Assert.Equal([12.0, 30.5], models.Y.Cast<double>());
        Assert.Equal(["a", "b"], models.HoverTextArray);
    }

    [Fact]
    public void The_resampling_curve_has_a_line_per_rule_in_increasing_size()
    {
        ResamplingAgreement[] points =
        [
            new(TextSampling.Variance, 100, 150, 0.99, 0.9), new(TextSampling.Variance, 50, 70, 0.97, 0.8),
            new(TextSampling.Uniform, 100, 120, 0.98, 0.85), new(TextSampling.Uniform, 50, 60, 0.95, 0.7),
        ];
        var curve = new LogLikeMap.Web.Analysis.ResamplingCurve(null!, 10, points, null);

        var kl = AnalysisFigures.ResamplingCurve(curve, neighbourOverlap: false);
        var overlap = AnalysisFigures.ResamplingCurve(curve, neighbourOverlap: true);

        var lines = kl.Data.Cast<Scatter>().ToList();
        Assert.Equal(["variance rule", "uniform draws"], lines.Select(l => l.Name));
        Assert.Equal([50, 100], lines[0].X.Cast<int>());
        Assert.Equal([0.97, 0.99], lines[0].Y.Cast<double>());
        Assert.Equal([0.7, 0.85], overlap.Data.Cast<Scatter>().ElementAt(1).Y.Cast<double>());
    }
}
