using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Checkpoints;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// A tokenizer whose template appends EOS, on a model of 16 positions: the scorer cuts long texts as
/// <c>tokenizer.encode(text, truncation=True, max_length=16)</c> does (the ids themselves are checked against the Rust
/// library in RealTokenizerTests), whether it tokenizes the text itself or is handed ids encoded in full.
/// </summary>
public class TemplateTruncationTests
{
    [Fact]
    public async Task Texts_longer_than_the_model_keep_bos_and_eos_in_both_paths()
    {
        using var temp = new TempFolder();
        foreach (var file in Directory.GetFiles(Path.Combine(ScoringTestData.Fixtures, "llama-spm")))
            File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        Edit(Path.Combine(temp.Path, "config.json"), config => config["max_position_embeddings"] = 16);
        // LlamaTokenizerFast rebuilds its template from these flags: <s> $A </s>.
        Edit(Path.Combine(temp.Path, "tokenizer_config.json"), config => config["add_eos_token"] = true);
        var text = ScoringFixtures.Texts().First().Text;
        using var scorer = LogLikelihoodScorer.Load(temp.Path, new ScoringOptions(Threads: 1));
        var full = HfTokenizer.Load(temp.Path).EncodeWithSpecialTokens(text);

        var tokenized = scorer.Tokenize(0, text);
        var scores = await scorer.ScoreAsync([tokenized, new TokenizedText(1, full)], progress: null, CancellationToken.None);

        Assert.True(full.Count > 16, "the text must be longer than the model's positions");
        Assert.Equal(16, tokenized.Ids.Count);
        Assert.Equal(1, tokenized.Ids[0]);
        Assert.Equal(2, tokenized.Ids[^1]);
        Assert.Equal(full.Take(15), tokenized.Ids.Take(15));
        Assert.Equal(16, scores[1].TokenCount);
        Assert.Equal(scores[0].LogLikelihood, scores[1].LogLikelihood, 1e-9);
    }

    private static void Edit(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
