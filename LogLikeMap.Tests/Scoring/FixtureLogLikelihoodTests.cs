using LogLikeMap.Scoring;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// The three shared fixtures scored from their exact token ids in float32 must agree with the reference
/// log-likelihoods (an independent PyTorch forward of the HF definitions) to 1e-4 relative, batched or one by one,
/// and in bfloat16 or float16 to 1%.
/// </summary>
public class FixtureLogLikelihoodTests
{
    /// <summary>Every text, several per batch (8192 tokens) or one by one (1).</summary>
    [Theory]
    [InlineData("gpt2-tiny", 1)]
    [InlineData("gpt2-tiny", 8192)]
    [InlineData("llama-spm", 1)]
    [InlineData("llama-spm", 8192)]
    [InlineData("neox-tiny", 1)]
    [InlineData("neox-tiny", 8192)]
    public async Task Float32_scores_match_the_reference(string name, int maxBatchTokens)
    {
        var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, name);
        using var scorer = LogLikelihoodScorer.Load(
            Path.Combine(ScoringTestData.Fixtures, name), new ScoringOptions(MaxBatchTokens: maxBatchTokens));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        Assert.Equal(texts.Select(t => t.Index), scores.Select(s => s.Index));
        Assert.Equal(texts.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, name),
            scores.Select(s => s.LogLikelihood).ToArray(),
            1e-4);
    }

    [Theory]
    [InlineData("llama-spm", ScoringPrecision.BFloat16)]
    [InlineData("gpt2-tiny", ScoringPrecision.BFloat16)]  // Conv1D weights transposed on load, then rounded to bfloat16
    [InlineData("gpt2-tiny", ScoringPrecision.Float16)]
    public async Task Half_precision_scores_stay_near_float32(string name, ScoringPrecision precision)
    {
        var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, name).Take(6).ToArray();
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(ScoringTestData.Fixtures, name), new ScoringOptions(precision));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        // bfloat16 keeps 8 significant bits (relative rounding 2^-9 per operation), float16 11 bits (2^-12) but a
        // range that ends at 65504; over a few hundred tokens the errors mostly cancel, so 1% of the total is a loose
        // but meaningful bound for both (a wrong op, or an overflow, would be far off).
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, name).Take(6).ToArray(),
            scores.Select(s => s.LogLikelihood).ToArray(),
            1e-2);
    }

    [Fact]
    public async Task A_text_of_one_token_scores_zero_and_an_over_long_text_is_cut_to_the_maximum_positions()
    {
        var ids = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "gpt2-tiny")[0].Ids;
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny"), new ScoringOptions());
        var repeated = Enumerable.Repeat(ids, 1 + scorer.MaxPositions / ids.Count).SelectMany(x => x).ToArray();

        var scores = await scorer.ScoreAsync(
            [new TokenizedText(0, [ids[0]]), new TokenizedText(1, repeated), new TokenizedText(2, repeated[..scorer.MaxPositions])],
            progress: null, CancellationToken.None);

        Assert.Equal(0.0, scores[0].LogLikelihood);
        Assert.Equal(1, scores[0].TokenCount);
        Assert.Equal(scorer.MaxPositions, scores[1].TokenCount);
        Assert.Equal(scores[2].LogLikelihood, scores[1].LogLikelihood);
    }
}
