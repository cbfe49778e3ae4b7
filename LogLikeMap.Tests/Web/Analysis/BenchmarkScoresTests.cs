using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Formats;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Tests.PaperData;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Analysis;

namespace LogLikeMap.Tests.Web.Analysis;

public sealed class BenchmarkScoresTests
{
    [Fact]
    public void A_table_written_as_CSV_reads_back_the_same_with_its_groups_and_missing_scores()
    {
        var table = new ScoreTable(
            ["acc", "cloze, 5-shot"],
            new Dictionary<string, double?[]> { ["org/a"] = [0.1 + 0.2, null], ["b,\"quoted\""] = [1e-300, -42.5] },
            new Dictionary<string, string> { ["org/a"] = "fam one", ["b,\"quoted\""] = "fam,two" });
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, BenchmarkScores.ToCsv(table));

            var read = BenchmarkScores.ReadCsv(path);

            Assert.Equal(table.Targets, read.Targets);
            Assert.Equal(table.Scores.Keys.Order(), read.Scores.Keys.Order());
            foreach (var (model, values) in table.Scores)
                Assert.Equal(values, read.Scores[model]);
            Assert.Equal(table.Groups!.OrderBy(g => g.Key), read.Groups!.OrderBy(g => g.Key));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_papers_six_tasks_are_read_from_stored_metadata_grouped_by_family()
    {
        StoredModel[] models =
        [
            Stored("a", "llama", new JsonObject { ["score_v1_ARC"] = 61.5, ["score_v1_GSM8K"] = 12.0, ["downloads"] = 7 }),
            Stored("b", "mistral", new JsonObject { ["score_v1_ARC"] = 55.0 }),
            Stored("c", "opt", new JsonObject { ["color"] = "#fff" }),
        ];

        var table = BenchmarkScores.FromMetadata(models)!;

        Assert.Equal(["ARC", "GSM8K"], table.Targets);
        Assert.Equal(new double?[] { 61.5, 12.0 }, table.Scores["a"]);
        Assert.Equal(new double?[] { 55.0, null }, table.Scores["b"]);
        Assert.False(table.Scores.ContainsKey("c"));
        Assert.Equal("mistral", table.Groups!["b"]);
        Assert.Null(BenchmarkScores.FromMetadata([models[2]]));
    }

    private static StoredModel Stored(string name, string family, JsonObject metadata) =>
        new(1, name, family, null, null, null, null, metadata, DateTime.UnixEpoch);
}

/// <summary>The release's model-data pickle imported through the API becomes the map's scores.</summary>
public sealed class PaperScoresImportApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task Model_data_1018_pkl_gives_the_six_tasks_their_mean_and_mean_logp_grouped_by_model_type()
    {
        using var admin = factory.CreateAdminClient();
        var records = ModelDataFile.Read(PaperDataFiles.SampleModelData);
        using var upload = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(PaperDataFiles.SampleModelData)), "file", "model-data-1018.pkl" } };

        using var response = await admin.PostAsync("/api/analysis/scores", upload);

        response.EnsureSuccessStatusCode();
        var imported = await response.Content.ReadFromJsonAsync<ScoresImported>();
        string[] targets = [.. ScoreTable.PaperTasks, "6-taskmean", "mean_logp"];
        Assert.Equal(targets, imported!.Targets);
        Assert.Equal(records.Count, imported.Models);
        Assert.True(imported.OnMap > 0 && imported.Grouped);

        var onMap = (await admin.GetFromJsonAsync<List<JsonObject>>("/api/models"))!.Select(m => (string)m["name"]!).ToHashSet();
        var record = records.First(r => onMap.Contains(r.Name) && r.Benchmarks["score_v1_ARC"] is not null);
        var model = await admin.GetFromJsonAsync<ModelFindings>($"/api/analysis/models/{Uri.EscapeDataString(record.Name)}");
        Assert.Equal(record.Benchmarks["score_v1_ARC"]!.Value, model!.Scores.Single(s => s.Target == "ARC").Value, 12);

        // The 40 test models with scores fall into fewer families than folds: the prediction holds out models, and says so.
        var findings = await admin.GetFromJsonAsync<FindingsSummary>("/api/analysis/findings");
        Assert.Null(findings!.PredictionProblem);
        Assert.Contains("plain k-fold", findings.FoldsNote, StringComparison.Ordinal);
        Assert.Equal(targets.Order(), findings.Summary.Keys.Order());
    }
}
