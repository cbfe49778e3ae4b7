using LogLikeMap.Scoring;
using LogLikeMap.Tests.Scoring;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// Checkpoints beyond the shared fixtures, written by tools/make-scoring-fixtures.py with reference log-likelihoods
/// from its own plain-PyTorch forward passes of the HF definitions (which reproduce the shared fixtures first).
/// </summary>
public class ExtraCheckpointTests
{
    [Theory]
    [InlineData("mistral-window", 8192)]    // sliding window (48) shorter than the texts, GQA, BF16
    [InlineData("mistral-window", 1)]
    [InlineData("qwen2-tied", 8192)]        // q/k/v biases, tied head, rope_theta 1e6, F16
    [InlineData("llama-rope-llama3", 8192)] // rope_scaling llama3 with all three bands, attention biases, head_dim, F32
    [InlineData("llama-rope-linear", 8192)] // rope_scaling linear (legacy "type" key), tied head, BF16
    [InlineData("gpt2-untied", 8192)]       // separate lm_head, scale_attn_by_inverse_layer_idx, truncation at 512, F16
    [InlineData("neox-sequential", 8192)]   // use_parallel_residual false, rotary_pct 0.25 of 16, F16
    public async Task Float32_scores_match_the_independent_reference(string name, int maxBatchTokens)
    {
        var texts = ScoringTestData.TokenIds(ScoringTestData.ExtraFixtures, name);
        using var scorer = LogLikelihoodScorer.Load(
            Path.Combine(ScoringTestData.ExtraFixtures, name), new ScoringOptions(MaxBatchTokens: maxBatchTokens));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        Assert.Equal(texts.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.ExtraFixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }
}
