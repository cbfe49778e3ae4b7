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
using static TorchSharp.torch;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// falcon, opt, bloom, gpt_bigcode and gptj: tiny random checkpoints written by tools/make-architecture-fixtures-c.py
/// score as its own plain-PyTorch forward passes of the HF definitions do (which first reproduce the shared fixtures).
/// The texts are 1,024 tokens, long enough for ALiBi's distance penalty and the learned and rotary positions to matter.
/// </summary>
public sealed class ArchitecturesCTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "TestData", "architectures");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loglikemap-arch-c-" + Guid.NewGuid().ToString("N"));

    public ArchitecturesCTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("falcon-multi-query-bf16", 8192)]    // multi_query: one key/value head, parallel block, rope_theta 5e5, untied
    [InlineData("falcon-new-decoder-sharded", 8192)] // new_decoder_architecture, num_kv_heads 2 of 4, ln_attn/ln_mlp, 2 shards
    [InlineData("falcon-alibi", 8192)]               // ALiBi with bfloat16-rounded slopes, sequential block, biases, 12 heads
    [InlineData("falcon-alibi", 1)]                  // one text at a time: the same numbers without padding
    [InlineData("opt-pre-norm", 8192)]               // positions offset by 2, </s> first, ReLU, final norm, model.decoder keys
    [InlineData("opt-pre-norm", 1)]
    [InlineData("opt-post-norm-projected", 8192)]    // do_layer_norm_before false, project_in/out (16 of 32), decoder keys
    [InlineData("bloom-alibi-bf16", 8192)]           // ALiBi slopes for 12 heads (8 + 4), word_embeddings_layernorm
    [InlineData("bloom-post-ln-residual", 8192)]     // apply_residual_connection_post_layernorm, 5 heads
    [InlineData("gpt-bigcode-multi-query", 8192)]    // c_attn hidden + 2 x head_dim, n_inner 80
    [InlineData("gpt-bigcode-multi-query", 1)]
    [InlineData("gpt-bigcode-multi-head", 8192)]     // multi_query false (per-head q/k/v), truncated at n_positions 512
    [InlineData("gptj-partial-rotary", 8192)]        // rotate_every_two on 4 of 8 features, lm_head bias
    [InlineData("gptj-full-rotary-bf16", 8192)]      // rotary_dim = head_dim, n_inner 64
    public async Task Float32_scores_match_the_independent_reference(string name, int maxBatchTokens)
    {
        var texts = ScoringTestData.TokenIds(Fixtures, name);
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(Fixtures, name), new ScoringOptions(MaxBatchTokens: maxBatchTokens));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        Assert.Equal(texts.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(ScoringTestData.Expected(Fixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    [Theory]
    [InlineData("falcon-alibi")]             // the ALiBi mask built in bfloat16
    [InlineData("bloom-alibi-bf16")]
    [InlineData("gptj-full-rotary-bf16")]    // rotation and scores in float32 inside a bfloat16 model
    [InlineData("gpt-bigcode-multi-query")]
    public async Task Bfloat16_scores_stay_near_the_reference(string name)
    {
        var texts = ScoringTestData.TokenIds(Fixtures, name);
        using var scorer = LogLikelihoodScorer.Load(
            Path.Combine(Fixtures, name), new ScoringOptions(MaxBatchTokens: 8192, Precision: ScoringPrecision.BFloat16));

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        // bfloat16 rounds every activation to 8 significant bits; summed over 1,024 tokens of these deliberately
        // large random weights that stays under 1% (0.4% at most measured), while a wrong layout is off by far more.
        ScoringTestData.AssertRelativelyClose(ScoringTestData.Expected(Fixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 0.01);
    }

    [Theory]
    [InlineData(8, new[] { 1 / 2.0, 1 / 4.0, 1 / 8.0, 1 / 16.0, 1 / 32.0, 1 / 64.0, 1 / 128.0, 1 / 256.0 })]
    // 12 heads: the 8-head slopes 2^-i, then the odd-numbered 16-head slopes 2^(-i/2) for i = 1, 3, 5, 7.
    [InlineData(12, new[] { 1 / 2.0, 1 / 4.0, 1 / 8.0, 1 / 16.0, 1 / 32.0, 1 / 64.0, 1 / 128.0, 1 / 256.0,
        0.70710678118654752, 0.35355339059327376, 0.17677669529663688, 0.08838834764831844 })]
    // 5 heads: 2^(-2i) for 4 heads, then 2^-1 of the 8-head sequence.
    [InlineData(5, new[] { 1 / 4.0, 1 / 16.0, 1 / 64.0, 1 / 256.0, 1 / 2.0 })]
    public void Alibi_slopes_follow_the_paper_for_any_head_count(int heads, double[] expected)
    {
        using var slopes = Alibi.Slopes(heads, CPU);

        var actual = slopes.data<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (var h = 0; h < heads; h++)
            Assert.Equal(expected[h], actual[h], 6);
    }

    [Fact]
    public void Opt_reads_positions_two_rows_down_its_table()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "opt-pre-norm", "config.json")))!.AsObject();

        using var model = ModelRegistry.Create(config);

        var table = model.named_parameters().Single(p => p.name == "model.decoder.embed_positions.weight").parameter;
        Assert.Equal(new long[] { (int)config["max_position_embeddings"]! + 2, 32 }, table.shape);
    }

    [Theory]
    [InlineData("falcon", """{"new_decoder_architecture": true, "parallel_attn": false}""", "parallel_attn")]
    [InlineData("falcon", """{"new_decoder_architecture": true, "num_kv_heads": 3}""", "num_kv_heads (3)")]
    [InlineData("falcon", """{"new_decoder_architecture": true, "num_ln_in_parallel_attn": 3}""", "num_ln_in_parallel_attn 3")]
    [InlineData("falcon", """{"num_ln_in_parallel_attn": 2}""", "num_ln_in_parallel_attn 2 needs new_decoder_architecture")]
    [InlineData("falcon", """{"multi_query": false, "num_kv_heads": 2}""", "num_kv_heads 2 differs")]
    [InlineData("falcon", """{"rope_scaling": {"type": "yarn", "factor": 2.0}}""", "rope_scaling of type 'yarn'")]
    [InlineData("gptj", """{"rotary_dim": null}""", "rotary_dim null")]
    [InlineData("gptj", """{"rotary_dim": 12}""", "rotary_dim 12")]
    [InlineData("bloom", """{"n_embed": 30, "n_head": 4}""", "hidden_size (30) is not divisible by n_head (4)")]
    public void Unsupported_configs_are_refused_naming_the_field(string modelType, string overrides, string expected)
    {
        var config = new JsonObject { ["model_type"] = modelType, ["hidden_size"] = 32, ["num_attention_heads"] = 4, ["n_embd"] = 32, ["n_head"] = 4 };
        foreach (var (key, value) in JsonNode.Parse(overrides)!.AsObject())
            config[key] = value?.DeepClone();

        var error = Assert.Throws<CheckpointException>(() => ModelRegistry.Create(config));

        Assert.Contains(modelType, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Falcon_dynamic_rope_scaling_is_plain_rotary_within_the_positions_scored()
    {
        var config = new JsonObject
        {
            ["model_type"] = "falcon", ["hidden_size"] = 32, ["num_attention_heads"] = 4, ["num_hidden_layers"] = 1, ["vocab_size"] = 16,
            ["rope_scaling"] = new JsonObject { ["type"] = "dynamic", ["factor"] = 2.0 },
        };

        Assert.Null(FalconConfig.FromJson(config).RopeScaling);
    }

    [Fact]
    public async Task The_score_command_scores_a_bloom_folder_through_its_tokenizer()
    {
        // The byte-level tokenizer gives the fixture's ids (bytes, nothing added), so the CLI must reproduce the reference.
        const string name = "bloom-alibi-bf16";
        var output = Path.Combine(_folder, "results.jsonl");

        var exit = await ScoreCommand.Create()
            .Parse(["--model", Path.Combine(Fixtures, name), "--texts", Texts, "--out", output])
            .InvokeAsync(new InvocationConfiguration { Error = new StringWriter() });

        Assert.Equal(0, exit);
        var scores = ResultsFile.Read(output, CancellationToken.None);
        Assert.Equal(ScoringTestData.TokenIds(Fixtures, name).Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(ScoringTestData.Expected(Fixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    [Fact]
    public async Task The_score_command_lists_every_supported_type_for_an_unknown_one()
    {
        var model = Path.Combine(_folder, "model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "gptj-partial-rotary")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        var configPath = Path.Combine(model, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["model_type"] = "t5";
        File.WriteAllText(configPath, config.ToJsonString());
        var error = new StringWriter();

        var exit = await ScoreCommand.Create()
            .Parse(["--model", model, "--texts", Texts, "--out", Path.Combine(_folder, "results.jsonl")])
            .InvokeAsync(new InvocationConfiguration { Error = error });

        Assert.Equal(2, exit);
        Assert.Contains($"'t5' is not supported. Supported: {string.Join(", ", ModelRegistry.ModelTypes)}.", error.ToString(), StringComparison.Ordinal);
        foreach (var type in new[] { "bloom", "falcon", "gpt_bigcode", "gptj", "opt" })
            Assert.Contains(type, ModelRegistry.ModelTypes);
    }

    /// <summary>The texts the fixtures were made from (tools/make-architecture-fixtures-c.py reads the same file).</summary>
    private static string Texts => Path.Combine(ScoringTestData.ExtraFixtures, "texts.jsonl");
}
