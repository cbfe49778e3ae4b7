using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Scoring;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using static TorchSharp.torch;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// gemma, gemma2, gemma3_text, phi3 and phi: tiny random checkpoints written by tools/make-architecture-fixtures-b.py,
/// with reference log-likelihoods from its own plain-PyTorch forward passes of the HF definitions (each text run alone).
/// </summary>
public class ArchitecturesBTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "TestData", "architectures");

    [Theory]
    [InlineData("gemma-mqa", 8192)]              // sqrt(hidden) embedding scale, (1 + w) norms, GeGLU, one kv head, head_dim 16, tied, BF16
    [InlineData("gemma2-softcap", 8192)]         // attention and final soft-capping that cap, query_pre_attn_scalar, window 40, F32
    [InlineData("gemma2-softcap", 1)]
    [InlineData("gemma3-sharded", 8192)]         // q/k norms, local vs global rope (linear 8), sliding_window_pattern, two shards, F16
    [InlineData("gemma3-layer-types", 8192)]     // layer_types, final soft-capping set, GQA 4:1, BF16
    [InlineData("phi3-longrope-sharded", 8192)]  // LongRoPE ("su"), texts on both sides of original_max_position_embeddings 64, two shards, BF16
    [InlineData("phi3-longrope-sharded", 1)]
    [InlineData("phi3-window-partial", 8192)]    // partial_rotary_factor 0.75, window 48, tied, F16
    [InlineData("phi2", 8192)]                   // parallel attention and MLP, half of each head rotating, lm_head bias, F16
    [InlineData("phi-qk-layernorm", 8192)]       // qk_layernorm, GQA, tied head with its own bias, F32
    public async Task Float32_scores_match_the_independent_reference(string name, int maxBatchTokens)
    {
        var texts = ScoringTestData.TokenIds(Fixtures, name);
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(Fixtures, name), new ScoringOptions(MaxBatchTokens: maxBatchTokens));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        Assert.Equal(texts.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(ScoringTestData.Expected(Fixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    [Fact]
    public void Every_architecture_of_this_part_is_registered()
    {
        foreach (var modelType in new[] { "gemma", "gemma2", "gemma3_text", "phi", "phi3" })
            Assert.Contains(modelType, ModelRegistry.ModelTypes);
    }

    [Theory]
    // The first Gemma releases said "gelu" but were trained with the tanh approximation, which transformers 4.38-4.46
    // used whatever hidden_act said (PR 29402); hidden_activation, when present, decides.
    [InlineData("""{"hidden_act": "gelu"}""", "gelu_pytorch_tanh")]
    [InlineData("""{"hidden_act": "gelu", "hidden_activation": "gelu_pytorch_tanh"}""", "gelu_pytorch_tanh")]
    [InlineData("""{"hidden_activation": "gelu"}""", "gelu")]
    [InlineData("""{"hidden_act": "silu"}""", "silu")]
    [InlineData("""{}""", "gelu_pytorch_tanh")]
    public void Gemma_reads_its_activation_as_transformers_ran_the_releases(string keys, string activation)
    {
        var config = JsonNode.Parse(keys)!.AsObject();
        config["model_type"] = "gemma";

        Assert.Equal(activation, GemmaConfig.FromJson(config).HiddenActivation);
    }

    [Fact]
    public void Final_soft_capping_bounds_every_logit_by_the_cap()
    {
        // gemma2-softcap's final_logit_softcapping is 3 and its uncapped logits reach about 4.5 times that.
        using var model = CheckpointLoader.Load(CheckpointFolder.Open(Path.Combine(Fixtures, "gemma2-softcap")), ScalarType.Float32, CPU);
        var ids = ScoringTestData.TokenIds(Fixtures, "gemma2-softcap")[0].Ids.Take(200).Select(id => (long)id).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var logits = model.forward(tensor(ids).unsqueeze(0));                                         // (1, T, V)

        var largest = logits.abs().max().item<float>();
        Assert.InRange(largest, 2.5f, 3.0f);
    }

    [Fact]
    public void Texts_on_both_sides_of_a_long_sequence_threshold_never_share_a_batch()
    {
        int[] lengths = [70, 64, 65, 3, 200, 64];

        var batches = BatchPlan.ByLength(lengths, maxBatchTokens: 10_000, longSequenceThreshold: 64);

        // Longer than 64 (200, 70, 65) in one batch, the rest (64, 64, 3) in another, though all would fit in one.
        Assert.Equal([[4, 0, 2], [1, 5, 3]], batches);
    }

    [Theory]
    [InlineData("phi3", "rope_scaling", """{"type": "linear", "factor": 2.0}""", "rope_scaling of type 'linear' is not supported for phi3")]
    [InlineData("phi3", "rope_scaling", """{"type": "longrope", "short_factor": [1.0], "long_factor": [1.0, 2.0, 3.0, 4.0]}""",
        "'short_factor' has 1 entries; it needs 4 positive numbers")]
    [InlineData("phi3", "partial_rotary_factor", "0", "partial_rotary_factor (0) must lie in (0, 1]")]
    [InlineData("gemma2", "use_bidirectional_attention", "true", "use_bidirectional_attention is true")]
    [InlineData("gemma2", "attn_logit_softcapping", "-1.0", "attn_logit_softcapping (-1) must be positive")]
    [InlineData("gemma3_text", "layer_types", """["full_attention"]""", "layer_types lists 1 layers, but num_hidden_layers is 2")]
    [InlineData("gemma3_text", "layer_types", """["full_attention", "chunked_attention"]""", "layer_types has \"chunked_attention\"")]
    [InlineData("phi", "rope_scaling", """{"type": "dynamic", "factor": 2.0}""", "rope_scaling of type 'dynamic' is not supported")]
    public void Unsupported_config_values_are_refused_naming_the_field(string modelType, string key, string value, string message)
    {
        var config = new JsonObject
        {
            ["model_type"] = modelType, ["vocab_size"] = 16, ["hidden_size"] = 16, ["intermediate_size"] = 16,
            ["num_hidden_layers"] = 2, ["num_attention_heads"] = 2, ["num_key_value_heads"] = 2, ["head_dim"] = 8,
            [key] = JsonNode.Parse(value),
        };

        var error = Assert.Throws<CheckpointException>(() => ModelRegistry.Create(config).Dispose());

        Assert.Contains($"config.json ({modelType}", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
