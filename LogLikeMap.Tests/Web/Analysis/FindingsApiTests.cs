using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Analysis;

namespace LogLikeMap.Tests.Web.Analysis;

/// <summary>The findings API on a map whose scores, leak and run are known in closed form (<see cref="AnalysisMap"/>).</summary>
public sealed class FindingsApiTests(AnalysisMapApp app) : IClassFixture<AnalysisMapApp>
{
    [Fact]
    public async Task The_scores_beside_the_demo_map_predict_well_and_flag_only_the_model_that_saw_the_texts()
    {
        using var client = app.Factory.CreateClient();
        var findings = await client.GetFromJsonAsync<FindingsSummary>("/api/analysis/findings");

        Assert.NotNull(findings);
        Assert.Equal(Path.Combine(app.Folder, "scores.csv"), findings.ScoresSource);
        Assert.Equal(["acc", "cloze"], findings.Targets);
        Assert.Equal(AnalysisMap.Models.Count(m => m.Scored), findings.ScoredModels);
        // Both scores are linear in the ability that also moves the log-likelihoods: held out, they are predicted closely.
        Assert.All(findings.Summary.Values, s => Assert.True(s.Pearson > 0.9, $"Pearson {s.Pearson}"));
        Assert.Equal(3.5, findings.LeakageThreshold);
        Assert.Equal([AnalysisMap.Leaky], findings.Flagged.Select(f => f.Model));
        Assert.True(findings.Flagged[0].Residual > 4, $"The leaky model's residual {findings.Flagged[0].Residual} should be near its +6 nats.");
    }

    [Fact]
    public async Task A_model_without_scores_gets_an_interval_around_its_closed_form_scores()
    {
        using var client = app.Factory.CreateClient();
        var model = await client.GetFromJsonAsync<ModelFindings>($"/api/analysis/models/{Uri.EscapeDataString(AnalysisMap.Unscored)}");

        Assert.NotNull(model);
        Assert.Equal(0.9, model.IntervalLevel);
        var acc = Assert.Single(model.Scores, s => s.Target == "acc");
        var cloze = Assert.Single(model.Scores, s => s.Target == "cloze");
        Assert.True(acc.Predicted && cloze.Predicted);
        AssertInside(AnalysisMap.Accuracy(AnalysisMap.UnscoredAbility), acc);
        AssertInside(AnalysisMap.Cloze(AnalysisMap.UnscoredAbility), cloze);
        Assert.False(model.Leakage!.Flagged);
        Assert.Null(model.Run);
    }

    [Fact]
    public async Task A_scored_model_shows_its_own_scores_and_the_leaky_one_its_flag()
    {
        using var client = app.Factory.CreateClient();
        var leaky = await client.GetFromJsonAsync<ModelFindings>($"/api/analysis/models/{Uri.EscapeDataString(AnalysisMap.Leaky)}");

        Assert.NotNull(leaky);
        Assert.All(leaky.Scores, s => Assert.False(s.Predicted));
        var ownAcc = ScoresCsv(app.Folder)[AnalysisMap.Leaky][0];
        Assert.Equal(ownAcc, leaky.Scores.Single(s => s.Target == "acc").Value, 12);
        Assert.NotNull(leaky.Scores[0].HeldOutPrediction);
        Assert.True(leaky.Leakage!.Flagged);
        Assert.True(leaky.Leakage.RobustZ > 3.5);
    }

    [Fact]
    public async Task A_checkpoint_knows_its_run_and_step()
    {
        using var client = app.Factory.CreateClient();
        var model = await client.GetFromJsonAsync<ModelFindings>($"/api/analysis/models/{Uri.EscapeDataString(AnalysisMap.Run + "-step200")}");

        Assert.NotNull(model);
        Assert.Equal(AnalysisMap.Run, model.Run!.Run);
        Assert.Equal(AnalysisMap.RunSteps, model.Run.Points.Select(p => p.Step));
        Assert.Equal(200, model.Checkpoint!.Step);
        Assert.Equal(0, model.Run.Points[0].KlFromStart);
    }

    [Fact]
    public async Task The_CSVs_hold_every_held_out_prediction_check_checkpoint_and_resampling_point()
    {
        using var client = app.Factory.CreateClient();
        var scores = ScoresCsv(app.Folder);

        var predictions = await Lines(client, "predictions");
        Assert.Equal("model,target,seed,fold,true,predicted", predictions[0]);
        Assert.Equal(scores.Count * 2 * 5, predictions.Length - 1);
        foreach (var row in predictions.Skip(1).Select(l => l.Split(',')))
            Assert.Equal(scores[row[0]][row[1] == "acc" ? 0 : 1], double.Parse(row[4], CultureInfo.InvariantCulture), 12);

        var leakage = await Lines(client, "leakage");
        Assert.Equal(AnalysisMap.Models.Count + 1, leakage.Length);
        Assert.Equal([AnalysisMap.Leaky], leakage.Skip(1).Select(l => l.Split(',')).Where(r => r[5] == "true").Select(r => r[0]));

        var runs = await Lines(client, "trajectories");
        Assert.Equal(AnalysisMap.RunSteps.Select(s => $"{AnalysisMap.Run},{AnalysisMap.Run}-step{s}"), runs.Skip(1).Select(l => string.Join(',', l.Split(',').Take(2))));

        // 300 texts: N/2 = 150, 75, then the smallest size, 50 (MapAnalysis.ResamplingSmallest), for each rule.
        var resampling = await Lines(client, "resampling");
        Assert.Equal("sampling,texts,draws,kl_spearman,neighbour_overlap", resampling[0]);
        Assert.Equal(["variance,150", "variance,75", "variance,50", "uniform,150", "uniform,75", "uniform,50"],
            resampling.Skip(1).Select(l => string.Join(',', l.Split(',').Take(2))));

        using var unknown = await client.GetAsync("/api/analysis/everything.csv");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static void AssertInside(double truth, TargetScore score) =>
        Assert.True(score.Lower <= truth && truth <= score.Upper,
            $"{score.Target}: the closed-form {truth} should lie in [{score.Lower}, {score.Upper}] around {score.Value}.");

    private static async Task<string[]> Lines(HttpClient client, string table)
    {
        using var response = await client.GetAsync($"/api/analysis/{table}.csv");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The generated scores file, read here rather than through the code under test.</summary>
    internal static Dictionary<string, double[]> ScoresCsv(string folder) =>
        File.ReadLines(Path.Combine(folder, "scores.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(r => r[0], r => new[] { double.Parse(r[1], CultureInfo.InvariantCulture), double.Parse(r[2], CultureInfo.InvariantCulture) });
}
