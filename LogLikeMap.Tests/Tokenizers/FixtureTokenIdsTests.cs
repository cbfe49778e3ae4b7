using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Tests.Checkpoints;

namespace LogLikeMap.Tests.Tokenizers;

/// <summary>The fixtures' ids were produced by Hugging Face's tokenizers (TestData/scoring/README.md): ours must equal them.</summary>
public class FixtureTokenIdsTests
{
    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-spm")]
    [InlineData("neox-tiny")]
    public void EveryTextGivesHuggingFacesIds(string name)
    {
        var tokenizer = HfTokenizer.Load(ScoringFixtures.ModelFolder(name));
        var expectedIds = ScoringFixtures.Ids(name);
        var maxPositions = MaxPositions(name);

        foreach (var (index, text) in ScoringFixtures.Texts())
        {
            var ids = tokenizer.EncodeWithSpecialTokens(text);
            // The fixture's ids are truncated to the model's maximum positions.
            var expected = expectedIds[index];
            var actual = ids.Take(maxPositions).ToArray();
            Assert.True(expected.SequenceEqual(actual), $"{name}, text {index}: expected [{string.Join(", ", expected.Take(40))}...] ({expected.Length}), got [{string.Join(", ", actual.Take(40))}...] ({actual.Length})");
        }
    }

    [Theory]
    [InlineData("gpt2-tiny", null, 50257)]
    [InlineData("llama-spm", 1, 32000)]
    [InlineData("neox-tiny", null, 50257)]
    public void ReportsTheBeginningTokenItAddsAndTheVocabularySize(string name, int? addedBos, int vocabularySize)
    {
        var tokenizer = HfTokenizer.Load(ScoringFixtures.ModelFolder(name));

        // README.md: only llama-spm adds a BOS (<s> = 1); GPT-2's files name <|endoftext|> (50256) as BOS and EOS.
        Assert.Equal(addedBos ?? 50256, tokenizer.BeginningOfSentenceId);
        Assert.Equal(addedBos is null ? 50256 : 2, tokenizer.EndOfSentenceId);
        Assert.Equal(vocabularySize, tokenizer.VocabularySize);
        Assert.Equal(addedBos is null ? [] : [addedBos.Value], tokenizer.EncodeWithSpecialTokens(""));
    }

    private static int MaxPositions(string name)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ScoringFixtures.ModelFolder(name), "config.json")))!;
        return (int)(config["max_position_embeddings"] ?? config["n_positions"])!;
    }
}
