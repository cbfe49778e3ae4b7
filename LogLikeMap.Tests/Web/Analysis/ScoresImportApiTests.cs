using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Analysis;
using Microsoft.AspNetCore.Mvc;

namespace LogLikeMap.Tests.Web.Analysis;

/// <summary>Administrators replace the map's benchmark scores through the API; bad files are refused in words.</summary>
public sealed class ScoresImportApiTests(AnalysisMapApp app) : IClassFixture<AnalysisMapApp>
{
    [Fact]
    public async Task An_imported_CSV_replaces_the_scores_and_its_family_column_groups_the_folds()
    {
        // One target, the closed-form accuracy without wobble, with a family column of its own.
        var csv = new StringBuilder("model,family,acc\n");
        foreach (var m in AnalysisMap.Models.Where(m => m.Scored))
            csv.Append(CultureInfo.InvariantCulture, $"{m.Name},{m.Family},{AnalysisMap.Accuracy(m.Ability).ToString("R", CultureInfo.InvariantCulture)}\n");
        csv.Append("not/on-the-map,x,50\n");
        using var admin = app.Factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/analysis/scores", Upload(csv.ToString(), "scores.csv"));

        response.EnsureSuccessStatusCode();
        var imported = await response.Content.ReadFromJsonAsync<ScoresImported>();
        Assert.Equal((AnalysisMap.Models.Count(m => m.Scored) + 1, AnalysisMap.Models.Count(m => m.Scored), true), (imported!.Models, imported.OnMap, imported.Grouped));
        var findings = await admin.GetFromJsonAsync<FindingsSummary>("/api/analysis/findings");
        Assert.Equal(["acc"], findings!.Targets);
        Assert.Equal(Path.Combine(app.Factory.DataFolder, "scores.csv"), findings.ScoresSource);
        var model = await admin.GetFromJsonAsync<ModelFindings>($"/api/analysis/models/{Uri.EscapeDataString(AnalysisMap.Unscored)}");
        var acc = Assert.Single(model!.Scores);
        Assert.True(acc.Lower <= AnalysisMap.Accuracy(AnalysisMap.UnscoredAbility) && AnalysisMap.Accuracy(AnalysisMap.UnscoredAbility) <= acc.Upper);
    }

    [Fact]
    public async Task A_freshly_uploaded_model_gets_a_predicted_score_around_the_closed_form_of_the_model_it_copies()
    {
        // fam2/model-1's results, nudged a little per text: its ability, and so its closed-form accuracy, is that model's.
        var copied = AnalysisMap.Models.Single(m => m.Name == "fam2/model-1");
        var lines = File.ReadLines(Path.Combine(app.Folder, "results", "fam2__model-1.jsonl")).Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(e => $"{{\"index\": {e.GetProperty("index").GetInt64()}, \"num-tokens\": 100, \"log-likelihood\": {(e.GetProperty("log-likelihood").GetDouble() + (0.05 * Math.Sin(e.GetProperty("index").GetInt64()))).ToString("R", CultureInfo.InvariantCulture)}}}");
        using var admin = app.Factory.CreateAdminClient();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")), "file", "results.jsonl" },
            { new StringContent("upload/copy"), "name" },
            { new StringContent(copied.Family), "family" },
        };

        using var response = await admin.PostAsync("/api/uploads/results", form);
        var upload = (await response.Content.ReadFromJsonAsync<LogLikeMap.Web.Services.UploadResult>())!;
        Assert.Equal(LogLikeMap.Web.Services.JobState.Succeeded, (await JobPolling.UntilFinishedAsync(admin, upload.JobId!, TimeSpan.FromSeconds(120))).State);

        var model = await admin.GetFromJsonAsync<ModelFindings>("/api/analysis/models/upload%2Fcopy");
        var acc = Assert.Single(model!.Scores, s => s.Target == "acc");
        Assert.True(acc.Predicted);
        var truth = AnalysisMap.Accuracy(copied.Ability);
        Assert.True(acc.Lower <= truth && truth <= acc.Upper, $"The closed-form {truth} should lie in [{acc.Lower}, {acc.Upper}].");
    }

    [Theory]
    [InlineData("model,acc\nfam0/model-0,high\n", "scores.csv", "'high' is not a number")]
    [InlineData("model,acc\nsomeone/else,50\n", "scores.csv", "None of the 1 models")]
    [InlineData("model,acc\n", "scores.xlsx", "neither a scores CSV")]
    public async Task A_bad_scores_file_is_refused_saying_what_is_wrong(string content, string fileName, string expected)
    {
        using var admin = app.Factory.CreateAdminClient();

        using var response = await admin.PostAsync("/api/analysis/scores", Upload(content, fileName));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains(expected, problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_administrators_import_scores()
    {
        using var client = app.Factory.CreateClient();

        using var response = await client.PostAsync("/api/analysis/scores", Upload("model,acc\n", "scores.csv"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static MultipartFormDataContent Upload(string content, string fileName) => new()
    {
        { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", fileName },
    };
}
