using System.Text.Json.Nodes;
using LogLikeMap.Lab.Zoo;
using LogLikeMap.Scoring.Checkpoints;

namespace LogLikeMap.Tests.Zoo;

/// <summary>The zoo's merged, rounded and quantised models against values worked by hand.</summary>
public sealed class ZooDerivationsTests : IDisposable
{
    private readonly string _zoo = Path.Combine(Path.GetTempPath(), "llm-zoo-derive-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_zoo))
            Directory.Delete(_zoo, recursive: true);
    }

    [Fact]
    public void Bfloat16_rounds_to_nearest_even_on_the_upper_half()
    {
        Assert.Equal(1.0f, ZooDerivations.BFloat16(1.00390625f));          // 1 + 2^-8: a tie, 0x3F80 is even: down
        Assert.Equal(1.015625f, ZooDerivations.BFloat16(1.01171875f));     // 1 + 3 * 2^-8: a tie, 0x3F81 is odd: up
        Assert.Equal(1.0078125f, ZooDerivations.BFloat16(BitConverter.UInt32BitsToSingle(0x3F808001)));   // just above the tie: up
        Assert.Equal(-2.0f, ZooDerivations.BFloat16(-2.0f));
    }

    [Fact]
    public void Int8_keeps_one_scale_per_row_and_leaves_vectors_alone()
    {
        // Row 0: largest 1.27, scale 0.01: 0.5 -> 50 -> 0.5; 0.003 -> 0.3 -> 0 -> 0.
        // Row 1: largest 2.54, scale 0.02: 0.071 -> 3.55 -> 4 -> 0.08; -0.013 -> -0.65 -> -1 -> -0.02.
        var matrix = new ZooDerivations.StoredTensor([2, 3], [0.5f, -1.27f, 0.003f, 2.54f, 0.071f, -0.013f]);

        var quantised = ZooDerivations.Int8(matrix);

        Assert.Equal([0.5f, -1.27f, 0f, 2.54f, 0.08f, -0.02f], quantised, (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal([0.123456f], ZooDerivations.Int8(new ZooDerivations.StoredTensor([1], [0.123456f])));
    }

    [Fact]
    public void A_rank_one_change_survives_rank_one_and_a_rank_two_change_keeps_its_larger_direction()
    {
        var identity = new ZooDerivations.StoredTensor([2, 2], [1, 0, 0, 1]);
        // Change diag(3, 1): rank 2, singular values 3 and 1; its best rank-1 approximation is diag(3, 0).
        var fineTune = new ZooDerivations.StoredTensor([2, 2], [4, 0, 0, 2]);

        Assert.Equal([4f, 0f, 0f, 1f], ZooDerivations.LowRank(identity, fineTune, 1), (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal([4f, 0f, 0f, 2f], ZooDerivations.LowRank(identity, fineTune, 2), (x, y) => Math.Abs(x - y) < 1e-6);
        // Vectors (norms, biases) are not what a LoRA adapts: the base's values.
        Assert.Equal([1f, 2f], ZooDerivations.LowRank(new([2], [1, 2]), new([2], [5, 5]), 1));
    }

    [Fact]
    public void A_grid_point_is_the_weighted_sum_of_its_three_sources_saved_like_them()
    {
        Save("w0", [1, 2, 3, 4]);
        Save("w1", [2, 2, 2, 2]);
        Save("w2", [0, 1, 0, -1]);
        var spec = new ZooModelSpec("grid", "w0", ZooArchitecture.Gpt2, "bytes", 2, 1, 1, 8, ["ab"], 1, 0, 0,
            Derivation: new WeightMix([new WeightTerm("w0", 1 - 0.4 - 0.8), new WeightTerm("w1", 0.4), new WeightTerm("w2", 0.8)]));

        ZooDerivations.Write(spec, _zoo);

        // (1 - a - b) W0 + a W1 + b W2 with a = 0.4, b = 0.8 (an extrapolated point: 1 - a - b = -0.2).
        var saved = ZooDerivations.ReadWeights(Path.Combine(_zoo, "grid"), "test")["w"];
        Assert.Equal([2, 2], saved.Shape);
        Assert.Equal([0.6f, 1.2f, 0.2f, -0.8f], saved.Values, (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal(File.ReadAllText(Path.Combine(_zoo, "w0", "vocab.json")), File.ReadAllText(Path.Combine(_zoo, "grid", "vocab.json")));
    }

    [Fact]
    public void Sources_of_another_shape_are_refused_by_name()
    {
        Save("w0", [1, 2, 3, 4]);
        Directory.CreateDirectory(_zoo);
        HfCheckpointWriter.Write(Path.Combine(_zoo, "other"), new HfCheckpoint(
            new JsonObject { ["model_type"] = "gpt2" }, [new NamedTensor("w", [4], [1, 2, 3, 4])], new Dictionary<string, string>()));
        var spec = new ZooModelSpec("avg", "w0", ZooArchitecture.Gpt2, "bytes", 2, 1, 1, 8, ["ab"], 1, 0, 0,
            Derivation: new WeightMix([new WeightTerm("w0", 0.5), new WeightTerm("other", 0.5)]));

        var error = Assert.Throws<InvalidOperationException>(() => ZooDerivations.Write(spec, _zoo));
        Assert.Contains("other", error.Message, StringComparison.Ordinal);
    }

    private void Save(string name, float[] values) =>
        HfCheckpointWriter.Write(Path.Combine(_zoo, name), new HfCheckpoint(
            new JsonObject { ["model_type"] = "gpt2" }, [new NamedTensor("w", [2, 2], values)],
            new Dictionary<string, string> { ["vocab.json"] = "{\"a\": 0}" }));
}
