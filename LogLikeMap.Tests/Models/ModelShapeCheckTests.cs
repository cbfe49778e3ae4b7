using System.Diagnostics;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Scoring;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// config.json against the weights' headers before any tensor exists (<see cref="ModelShapeCheck"/>): every fixture of
/// every architecture passes, and absurd or foreign configs are refused naming the field, its value and the tensor.
/// </summary>
public sealed class ModelShapeCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loglikemap-shapes-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Every scoring fixture, so that an architecture added with its fixture is checked here too.</summary>
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var root in new[] { ScoringTestData.Fixtures, ScoringTestData.ExtraFixtures })
        {
            foreach (var folder in Directory.GetDirectories(root).Where(f => File.Exists(Path.Combine(f, "config.json"))).Order())
                data.Add(Path.GetRelativePath(AppContext.BaseDirectory, folder));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_checkpoint_saved_by_transformers_passes_and_counts_the_stored_parameters(string fixture)
    {
        var folder = CheckpointFolder.Open(Path.Combine(AppContext.BaseDirectory, fixture));

        var footprint = ModelShapeCheck.Check(folder);

        // The fixtures store exactly the model's parameters (a tied head only once), as transformers saves them.
        using var weights = folder.OpenWeights();
        var stored = weights.TensorNames.Select(weights.Info).ToArray();
        Assert.Equal(stored.Sum(t => t.ElementCount), footprint.ParameterCount);
        Assert.Equal(stored.Max(t => t.ByteLength), footprint.LargestStoredTensorBytes);
    }

    [Fact]
    public void The_footprint_of_the_tiny_gpt2_is_its_closed_form_parameter_count()
    {
        // GPT-2 with V = 50257, C = 32, P = 2048 positions, L = 2 blocks of 12 C^2 + 13 C (ln_1, c_attn, c_proj, ln_2,
        // c_fc, c_proj with biases) and the final LayerNorm 2 C: 1,699,232 parameters; wte is its largest tensor,
        // 50257 x 32 F16 values of 2 bytes.
        var footprint = ModelShapeCheck.Check(Copy("gpt2-tiny"));

        Assert.Equal((50257 * 32) + (2048 * 32) + (2 * ((12 * 32 * 32) + (13 * 32))) + (2 * 32), footprint.ParameterCount);
        Assert.Equal(50257 * 32 * 2, footprint.LargestStoredTensorBytes);
        Assert.Equal((1_699_232L * 2) + (50257 * 32 * 2), footprint.BytesToLoad(ScoringPrecision.BFloat16));
    }

    [Theory]
    [InlineData("vocab_size", 1_000_000_000, "'vocab_size' is 1000000000, so the tensor 'transformer.wte.weight' should have shape [1000000000, 32], but the weights store it as [50257, 32].")]
    [InlineData("n_positions", 1_000_000_000, "'n_positions' is 1000000000, so the tensor 'transformer.wpe.weight' should have shape [1000000000, 32], but the weights store it as [2048, 32].")]
    [InlineData("n_embd", 1_000_000, "'n_embd' is 1000000, so the tensor 'transformer.wte.weight' should have shape [50257, 1000000], but the weights store it as [50257, 32].")]
    [InlineData("n_inner", 64, "'n_inner' is 64, so the tensor 'transformer.h.0.mlp.c_fc.weight' should have shape [32, 64], but the weights store it as [32, 128].")]
    public void A_gpt2_config_that_disagrees_with_the_weights_is_refused_naming_field_value_and_tensor(string key, long value, string expected)
    {
        var folder = Copy("gpt2-tiny", config => config[key] = value);

        var error = Assert.Throws<CheckpointException>(() => ModelShapeCheck.Check(folder));

        Assert.Equal($"config.json (gpt2): {expected} The config.json does not belong to these weights: upload the config.json saved with them.", error.Message);
    }

    [Theory]
    [InlineData("gpt2-tiny", "n_layer", "gpt2", "transformer.h.1.attn.c_attn.bias")]
    [InlineData("llama-spm", "num_hidden_layers", "llama", "model.layers.1.input_layernorm.weight")]
    public void A_million_blocks_are_refused_from_the_tensor_names_without_building_them(string fixture, string key, string modelType, string example)
    {
        var folder = Copy(fixture, config => config[key] = 1_000_000);
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<CheckpointException>(() => ModelShapeCheck.Check(folder));

        Assert.Equal(
            $"config.json ({modelType}): '{key}' is 1000000, but the highest block number in the tensor names is 1 (tensor '{example}'). " +
            "The config.json does not belong to these weights: upload the config.json saved with them.", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The check took {clock.Elapsed}.");
    }

    [Fact]
    public void A_llama_config_asking_for_a_huge_vocabulary_is_refused_without_allocating_it()
    {
        // 10^9 x 32 float32 values would be 128 GB for each of embed_tokens and lm_head.
        var folder = Copy("llama-spm", config => config["vocab_size"] = 1_000_000_000);

        var error = Assert.Throws<CheckpointException>(() => ModelShapeCheck.Check(folder));

        Assert.StartsWith("config.json (llama): 'vocab_size' is 1000000000, so the tensor 'model.embed_tokens.weight' should have shape [1000000000, 32]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_size_is_refused_naming_it()
    {
        var folder = Copy("gpt2-tiny", config => config["n_inner"] = -5);

        var error = Assert.Throws<CheckpointException>(() => ModelShapeCheck.Check(folder));

        Assert.Equal(
            "config.json (gpt2): no model can be built from it: 'n_inner' is -5, and sizes cannot be negative. " +
            "Upload the config.json saved with these weights.", error.Message);
    }

    [Fact]
    public void A_config_needing_a_tensor_the_weights_lack_is_refused_naming_it()
    {
        var folder = Copy("gpt2-tiny", config => config["tie_word_embeddings"] = false);

        var error = Assert.Throws<CheckpointException>(() => ModelShapeCheck.Check(folder));

        Assert.Equal(
            "config.json (gpt2) needs 1 tensor(s) that the weights lack: lm_head.weight. Upload the config.json saved with these weights.",
            error.Message);
    }

    /// <summary>A fixture copied to a scratch folder with its config.json edited, opened as the upload check opens it.</summary>
    private CheckpointFolder Copy(string fixture, Action<JsonObject>? edit = null)
    {
        var source = Path.Combine(ScoringTestData.Fixtures, fixture);
        var target = Path.Combine(_folder, fixture);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        if (edit is not null)
        {
            var path = Path.Combine(target, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            edit(config);
            File.WriteAllText(path, config.ToJsonString());
        }
        return CheckpointFolder.Open(target);
    }
}
