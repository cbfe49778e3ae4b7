using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Tests.Models;

/// <summary>Checkpoints whose weights do not fit their config are refused with the offending tensor named.</summary>
public sealed class CheckpointLoaderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loglikemap-loader-" + Guid.NewGuid().ToString("N"));

    public CheckpointLoaderTests()
    {
        var fixture = Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny");
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.GetFiles(fixture))
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void An_unsupported_architecture_is_refused_with_the_supported_list()
    {
        EditConfig(config => config["model_type"] = "no-such-model");

        var error = Assert.Throws<CheckpointException>(() => Load());

        Assert.Contains("'no-such-model'", error.Message, StringComparison.Ordinal);
        // Each type by itself: the list grows as architectures are added.
        foreach (var type in new[] { "gpt2", "gpt_neox", "llama", "mistral", "qwen2" })
            Assert.Contains(type, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        // An untied head needs lm_head.weight, which this tied checkpoint does not store.
        EditConfig(config => config["tie_word_embeddings"] = false);

        var error = Assert.Throws<CheckpointException>(() => Load());

        Assert.Contains("lacks 1 tensor(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("lm_head.weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named_with_both_shapes()
    {
        EditConfig(config => config["n_inner"] = 64);

        var error = Assert.Throws<CheckpointException>(() => Load());

        Assert.Contains("'transformer.h.0.mlp.c_fc.weight' has shape [32, 128]", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs [32, 64]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_carry_the_checkpoint_key_names()
    {
        using var model = Load();

        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        using var weights = CheckpointWeights.Open(_folder);

        // The tied head is the embedding, so the model's names are exactly the stored keys.
        Assert.Equal(weights.TensorNames.ToHashSet(), names);
    }

    [Fact]
    public async Task Weights_read_in_slices_of_a_few_rows_score_as_the_reference()
    {
        // Tensors over 1 GB are read a block of rows at a time (a span holds at most 2 GB), and tensors that cannot be
        // read in place (the transposed Conv1D weights) pass through a staging buffer of a few rows: 100-byte slices put
        // every tensor of the tiny fixture through these paths.
        var folder = CheckpointFolder.Open(_folder);
        var architecture = ModelRegistry.Find(folder.ModelType);
        var model = ModelRegistry.Create(folder.Config);
        using (var weights = CheckpointWeights.Open(_folder))
            CheckpointLoader.LoadWeights(model, weights, architecture, _folder, maxBytesPerRead: 100, maxStagingBytes: 100);
        model.eval();
        using var scorer = new LogLikelihoodScorer(model, CPU, new ScoringOptions());
        var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "gpt2-tiny").Take(6).ToArray();

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, "gpt2-tiny").Take(6).ToArray(),
            scores.Select(s => s.LogLikelihood).ToArray(),
            1e-4);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.Float32)]
    public void Every_parameter_is_in_the_requested_dtype(ScalarType dtype)
    {
        using var model = CheckpointLoader.Load(CheckpointFolder.Open(_folder), dtype, CPU);

        Assert.All(model.named_parameters(), p => Assert.Equal(dtype, p.parameter.dtype));
    }

    [Fact]
    public void Converting_through_a_small_staging_buffer_equals_converting_the_whole_float32_model()
    {
        // The float32 fixture loaded into a bfloat16 model a few rows at a time must hold exactly the values that
        // rounding the float32 model's parameters to bfloat16 gives (the same round-to-nearest-even conversion).
        var folder = CheckpointFolder.Open(_folder);
        using var reference = Load();
        reference.to(ScalarType.BFloat16);
        using var model = ModelRegistry.Create(folder.Config, ScalarType.BFloat16);
        using (var weights = CheckpointWeights.Open(_folder))
            CheckpointLoader.LoadWeights(model, weights, ModelRegistry.Find(folder.ModelType), _folder, maxStagingBytes: 64);

        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.equal(expected[p.name]).all().item<bool>(), $"{p.name} differs"));
    }

    private CausalLanguageModel Load() => CheckpointLoader.Load(CheckpointFolder.Open(_folder), ScalarType.Float32, CPU);

    private void EditConfig(Action<JsonObject> edit)
    {
        var path = Path.Combine(_folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}
