using System.Text.Json.Nodes;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Core.PaperData;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// <c>loglikemap score</c> end to end: folder and texts in, the paper's results out, through the checkpoint's own
/// tokenizer; a checkpoint that cannot be loaded leaves no results file.
/// </summary>
public sealed class ScoreCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loglikemap-score-" + Guid.NewGuid().ToString("N"));

    public ScoreCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Scoring_a_fixture_folder_gives_the_reference_token_counts_and_log_likelihoods()
    {
        var texts = Path.Combine(_folder, "texts.jsonl");
        File.WriteAllLines(texts, File.ReadLines(Path.Combine(ScoringTestData.Fixtures, "texts.jsonl")).Take(5));
        var output = Path.Combine(_folder, "results.jsonl");

        var exit = await Run("--model", Path.Combine(ScoringTestData.Fixtures, "llama-spm"), "--texts", texts, "--out", output);

        Assert.Equal(0, exit);
        var scores = ResultsFile.Read(output, CancellationToken.None);
        var reference = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "llama-spm").Take(5).ToArray();
        Assert.Equal(reference.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, "llama-spm").Take(5).ToArray(),
            scores.Select(s => s.LogLikelihood).ToArray(),
            1e-4);
    }

    [Fact]
    public async Task An_unsupported_architecture_fails_before_any_results_file_is_written()
    {
        var model = Path.Combine(_folder, "model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "config.json")))!.AsObject();
        config["model_type"] = "bloom";
        File.WriteAllText(Path.Combine(model, "config.json"), config.ToJsonString());
        var output = Path.Combine(_folder, "results.jsonl");

        var exit = await Run("--model", model, "--texts", Path.Combine(ScoringTestData.Fixtures, "texts.jsonl"), "--out", output);

        Assert.Equal(2, exit);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Scoring_another_checkpoint_into_the_same_out_is_refused_and_keeps_the_first_scores()
    {
        // gpt2-tiny and neox-tiny share GPT-2's tokenizer, so their results have the same indexes and token counts.
        var texts = Path.Combine(_folder, "texts.jsonl");
        File.WriteAllLines(texts, File.ReadLines(Path.Combine(ScoringTestData.Fixtures, "texts.jsonl")).Take(3));
        var output = Path.Combine(_folder, "results.jsonl");
        Assert.Equal(0, await Run("--model", Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny"), "--texts", texts, "--out", output));
        var first = File.ReadAllBytes(output);

        var exit = await Run("--model", Path.Combine(ScoringTestData.Fixtures, "neox-tiny"), "--texts", texts, "--out", output);

        Assert.Equal(2, exit);
        Assert.Equal(first, File.ReadAllBytes(output));
        Assert.Equal(0, await Run("--model", Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny"), "--texts", texts, "--out", output));
        Assert.Equal(first, File.ReadAllBytes(output));
    }

    private static Task<int> Run(params string[] args) => ScoreCommand.Create().Parse(args).InvokeAsync();
}
