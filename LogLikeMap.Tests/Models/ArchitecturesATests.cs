using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Core.Formats;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Scoring;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// qwen3, qwen3_moe, qwen2_moe, mixtral, olmo2 and stablelm: tiny random checkpoints written by
/// tools/make-architecture-fixtures-a.py with reference log-likelihoods from its own plain-PyTorch forward passes of the
/// HF definitions (which first reproduce the earlier Llama and Mistral references); the texts are 512 or 1,024 tokens.
/// </summary>
public sealed class ArchitecturesATests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "TestData", "architectures");

    private static readonly string[] NewTypes = ["qwen3", "qwen3_moe", "qwen2_moe", "mixtral", "olmo2", "stablelm"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loglikemap-arch-a-" + Guid.NewGuid().ToString("N"));

    public ArchitecturesATests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("qwen3-bf16", 8192)]             // per-head q/k RMSNorm, head_dim 16 (not hidden/heads = 8), tied head, BF16
    [InlineData("qwen3-window-f16", 8192)]       // sliding window 48 from max_window_layers 1 on, layer_types given, F16
    [InlineData("qwen3-moe-f32", 8192)]          // 8 experts, top-2, norm_topk_prob, mlp_only_layers [0], F32
    [InlineData("qwen3-moe-f32", 1)]
    [InlineData("qwen2-moe-bf16", 8192)]         // 6 experts, top-3 without renormalisation, gated shared expert, qkv bias, BF16
    [InlineData("qwen2-moe-bf16", 1)]
    [InlineData("mixtral-window-sharded", 8192)] // 8 experts, top-2 renormalised, window 40 over 1,024 tokens, two shards, F16
    [InlineData("mixtral-window-sharded", 1)]
    [InlineData("olmo2-bf16", 8192)]             // norms after attention and MLP, q/k norm over the whole projection, BF16
    [InlineData("stablelm-f16", 8192)]           // LayerNorm with bias, rotary on 4 of 16 features, q/k/v biases, F16
    [InlineData("stablelm-parallel-f32", 8192)]  // parallel residual, per-head q/k LayerNorms, GQA, rotary on 8 of 16, F32
    public async Task Float32_scores_match_the_independent_reference(string name, int maxBatchTokens)
    {
        var texts = ScoringTestData.TokenIds(Fixtures, name);
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(Fixtures, name), new ScoringOptions(MaxBatchTokens: maxBatchTokens));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        Assert.Equal(texts.Select(t => t.Index), scores.Select(s => s.Index));
        Assert.Equal(texts.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(ScoringTestData.Expected(Fixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    [Theory]
    [InlineData("olmo2-bf16")]            // rope and the norms' weights in float32, cast back
    [InlineData("qwen3-moe-f32")]         // router softmax in float32, expert weights cast to bfloat16
    [InlineData("stablelm-parallel-f32")] // per-head LayerNorms in bfloat16
    public async Task Bfloat16_scores_stay_near_float32(string name)
    {
        var texts = ScoringTestData.TokenIds(Fixtures, name).Take(3).ToArray();
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(Fixtures, name), new ScoringOptions(ScoringPrecision.BFloat16));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        // As FixtureLogLikelihoodTests: bfloat16 rounding mostly cancels over hundreds of tokens; a wrong cast or op would not.
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(Fixtures, name).Take(3).ToArray(), scores.Select(s => s.LogLikelihood).ToArray(), 1e-2);
    }

    [Fact]
    public async Task The_score_command_scores_a_sharded_mixtral_folder_through_its_tokenizer()
    {
        var output = Path.Combine(_folder, "results.jsonl");

        var exit = await Score(new StringWriter(), Path.Combine(Fixtures, "mixtral-window-sharded"), output);

        Assert.Equal(0, exit);
        var scores = ResultsFile.Read(output, CancellationToken.None);
        var reference = ScoringTestData.TokenIds(Fixtures, "mixtral-window-sharded");
        Assert.Equal(reference.Select(t => t.Index), scores.Select(s => s.Index));
        Assert.Equal(reference.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(Fixtures, "mixtral-window-sharded"), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    [Fact]
    public async Task The_score_command_refuses_an_unknown_model_type_listing_the_new_ones()
    {
        var model = Path.Combine(_folder, "model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "qwen3-bf16")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "config.json")))!.AsObject();
        config["model_type"] = "qwen9";
        File.WriteAllText(Path.Combine(model, "config.json"), config.ToJsonString());
        var error = new StringWriter();

        var exit = await Score(error, model, Path.Combine(_folder, "results.jsonl"));

        Assert.Equal(2, exit);
        Assert.Contains("'qwen9' is not supported", error.ToString(), StringComparison.Ordinal);
        foreach (var type in NewTypes)
        {
            Assert.Contains(type, ModelRegistry.ModelTypes);
            Assert.Contains(type, error.ToString(), StringComparison.Ordinal);
        }
        Assert.False(File.Exists(Path.Combine(_folder, "results.jsonl")));
    }

    [Theory]
    [InlineData("qwen3_moe", "\"use_sliding_window\": true", "use_sliding_window")]
    [InlineData("qwen2_moe", "\"use_sliding_window\": true", "use_sliding_window")]
    [InlineData("qwen2_moe", "\"mlp_only_layers\": [5]", "mlp_only_layers")]
    [InlineData("qwen3_moe", "\"num_experts\": 4, \"num_experts_per_tok\": 5", "num_experts_per_tok (5)")]
    [InlineData("qwen3_moe", "\"decoder_sparse_step\": 0", "decoder_sparse_step (0)")]
    [InlineData("mixtral", "\"num_local_experts\": 2, \"num_experts_per_tok\": 3", "num_experts_per_tok (3)")]
    [InlineData("qwen3", "\"layer_types\": [\"sliding_attention\", \"full_attention\"]", "layer_types")]
    [InlineData("stablelm", "\"partial_rotary_factor\": 0", "partial_rotary_factor (0)")]
    [InlineData("stablelm", "\"hidden_size\": 30", "hidden_size (30)")]
    public void Unsupported_or_inconsistent_config_values_are_refused_naming_the_field(string modelType, string field, string named)
    {
        var config = JsonNode.Parse(
            $"{{\"model_type\": \"{modelType}\", \"vocab_size\": 16, \"hidden_size\": 16, \"intermediate_size\": 8, " +
            "\"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"num_experts\": 4, " +
            "\"num_experts_per_tok\": 2, \"num_local_experts\": 4, \"moe_intermediate_size\": 8, " +
            "\"shared_expert_intermediate_size\": 8, \"head_dim\": 4}")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse($"{{{field}}}")!.AsObject().ToArray())
            config[key] = value?.DeepClone();

        var error = Assert.Throws<CheckpointException>(() => ModelRegistry.Create(config).Dispose());

        Assert.Contains(modelType, error.Message);
        Assert.Contains(named, error.Message);
    }

    private static Task<int> Score(TextWriter error, string model, string output) =>
        ScoreCommand.Create()
            .Parse(["--model", model, "--texts", Path.Combine(ScoringTestData.ExtraFixtures, "texts.jsonl"), "--out", output])
            .InvokeAsync(new InvocationConfiguration { Error = error });
}
