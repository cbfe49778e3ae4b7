using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.PaperData;
using LogLikeMap.Tests.Scoring;
using static LogLikeMap.Tests.Checkpoints.SafetensorsWriter;

namespace LogLikeMap.Tests.Checkpoints;

public class CheckpointWeightsTests
{
    [Fact]
    public void ReadsASingleFileCheckpoint()
    {
        using var weights = CheckpointWeights.Open(ScoringFixtures.ModelFolder("neox-tiny"));

        var info = weights.Info("gpt_neox.layers.0.attention.query_key_value.weight");
        Assert.Equal(TensorDType.F16, info.DType);
        Assert.Equal([96L, 32], info.Shape); // 3 x hidden_size rows, hidden_size columns (config.json)
        Assert.True(weights.Contains("embed_out.weight"));
    }

    [Fact]
    public void ReadsAShardedCheckpointThroughItsIndex()
    {
        using var temp = new TempFolder();
        var folder = temp.FilePath("sharded");
        Write(folder, "model-00001-of-00002.safetensors", Bytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Float32(1, 2)));
        Write(folder, "model-00002-of-00002.safetensors", Bytes("{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Float32(3, 4)));
        temp.Write("sharded/model.safetensors.index.json",
            "{\"metadata\":{\"total_size\":16},\"weight_map\":{\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00002-of-00002.safetensors\",\"z\":\"model-00002-of-00002.safetensors\"}}");

        using var weights = CheckpointWeights.Open(folder);

        Assert.Equal(["x", "y", "z"], weights.TensorNames.Order());
        var x = new byte[8];
        weights.ReadBytes("x", x);
        Assert.Equal(Float32(1, 2), x);
        var z = new byte[4];
        weights.ReadBytes("z", z);
        Assert.Equal(Float32(4), z);
    }

    [Fact]
    public void SplittingAFixtureIntoShardsReadsTheSameBytes()
    {
        using var temp = new TempFolder();
        var folder = SplitIntoTwoShards(temp, "llama-spm");
        using var single = CheckpointWeights.Open(ScoringFixtures.ModelFolder("llama-spm"));
        var names = single.TensorNames.Order(StringComparer.Ordinal).ToArray();

        using var sharded = CheckpointWeights.Open(folder);

        Assert.Equal(names, sharded.TensorNames.Order(StringComparer.Ordinal));
        foreach (var name in names)
        {
            var expected = new byte[single.Info(name).ByteLength];
            single.ReadBytes(name, expected);
            var actual = new byte[sharded.Info(name).ByteLength];
            sharded.ReadBytes(name, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public async Task AFixtureSplitIntoShardsScoresAsTheReference()
    {
        using var temp = new TempFolder();
        var folder = SplitIntoTwoShards(temp, "llama-spm");
        foreach (var file in Directory.GetFiles(ScoringFixtures.ModelFolder("llama-spm")).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "llama-spm");
        using var scorer = LogLikelihoodScorer.Load(folder, new ScoringOptions());

        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, "llama-spm"), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    /// <summary>
    /// The fixture's bfloat16 weights rewritten as two shards and their index, the layout of large Hugging Face
    /// checkpoints; returns the folder, which holds nothing else.
    /// </summary>
    private static string SplitIntoTwoShards(TempFolder temp, string fixture)
    {
        var folder = temp.FilePath("split");
        using var single = CheckpointWeights.Open(ScoringFixtures.ModelFolder(fixture));
        var names = single.TensorNames.Order(StringComparer.Ordinal).ToArray();
        var shards = new[] { names[..5], names[5..] };
        var weightMap = new List<string>();
        for (var s = 0; s < shards.Length; s++)
        {
            var shardName = $"model-{s + 1:00000}-of-00002.safetensors";
            var header = new List<string>();
            using var data = new MemoryStream();
            foreach (var name in shards[s])
            {
                var info = single.Info(name);
                Assert.Equal(TensorDType.BF16, info.DType);
                var bytes = new byte[info.ByteLength];
                single.ReadBytes(name, bytes);
                header.Add($"\"{name}\":{{\"dtype\":\"BF16\",\"shape\":[{string.Join(",", info.Shape)}],\"data_offsets\":[{data.Length},{data.Length + bytes.Length}]}}");
                data.Write(bytes);
                weightMap.Add($"\"{name}\":\"{shardName}\"");
            }
            Write(folder, shardName, Bytes("{" + string.Join(",", header) + "}", data.ToArray()));
        }
        temp.Write("split/model.safetensors.index.json", "{\"weight_map\":{" + string.Join(",", weightMap) + "}}");
        return folder;
    }

    [Fact]
    public void ReadsATensorInPieces()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "model.safetensors", Bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", Float32(1, 2, 3, 4)));
        using var weights = CheckpointWeights.Open(temp.Path);

        var second = new byte[8];
        weights.ReadBytes("w", 8, second);

        Assert.Equal(Float32(3, 4), second);
    }

    [Fact]
    public void AMissingTensorNamesTheTensorAndTheFolder()
    {
        using var weights = CheckpointWeights.Open(ScoringFixtures.ModelFolder("gpt2-tiny"));

        var ex = Assert.Throws<CheckpointException>(() => weights.Info("lm_head.weight"));

        Assert.Contains("has no tensor 'lm_head.weight'", ex.Message);
        Assert.Contains(ScoringFixtures.ModelFolder("gpt2-tiny"), ex.Message);
    }

    [Fact]
    public void ADestinationOfTheWrongSizeIsRefused()
    {
        using var weights = CheckpointWeights.Open(ScoringFixtures.ModelFolder("gpt2-tiny"));

        var ex = Assert.Throws<ArgumentException>(() => weights.ReadBytes("transformer.ln_f.bias", new byte[10]));

        Assert.Contains("has 64 bytes; the destination holds 10", ex.Message); // 32 float16 values
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("model.pt")]
    [InlineData("consolidated.00.pth")]
    public void PickledWeightsAreRefusedWithTheReasonAndTheConversion(string fileName)
    {
        using var temp = new TempFolder();
        temp.Write("config.json", "{\"model_type\":\"gpt2\"}");
        temp.Write(fileName, "not read");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));

        Assert.Contains($"holds pickled PyTorch weights ({fileName})", ex.Message);
        Assert.Contains("unpickling can run any code", ex.Message);
        Assert.Contains("safe_serialization=True", ex.Message);
    }

    [Fact]
    public void ShardsWithoutAnIndexAreRefused()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "model-00001-of-00002.safetensors", Bytes("{}", []));

        var ex = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));

        Assert.Contains("holds safetensors shards (model-00001-of-00002.safetensors) but no model.safetensors.index.json", ex.Message);
    }

    [Fact]
    public void AFolderWithoutWeightsIsRefused()
    {
        using var temp = new TempFolder();
        temp.Write("config.json", "{}");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));

        Assert.Contains("holds no weights: expected model.safetensors, or shards with model.safetensors.index.json", ex.Message);
    }

    [Theory]
    [InlineData("{\"weight_map\":{\"x\":\"../outside.safetensors\"}}", "puts 'x' in '../outside.safetensors', which is not a .safetensors file name inside the checkpoint folder")]
    [InlineData("{\"weight_map\":{\"x\":\"model-00009-of-00009.safetensors\"}}", "names the shard 'model-00009-of-00009.safetensors', which is not in the folder")]
    [InlineData("{\"weight_map\":{\"x\":\"a.safetensors\",\"q\":\"a.safetensors\"}}", "puts tensor 'q' in 'a.safetensors', but that shard does not hold it")]
    [InlineData("{\"weight_map\":{\"w\":\"c.safetensors\"}}", "c.safetensors holds tensor 'x', which")]
    [InlineData("{\"weight_map\":{\"x\":\"a.safetensors\",\"y\":\"b.safetensors\",\"w\":\"c.safetensors\"}}", "tensor 'x' is in both a.safetensors and c.safetensors")]
    [InlineData("{\"weight_map\":[]}", "has no \"weight_map\" object")]
    [InlineData("{\"weight_map\":{}", "is not valid JSON")]
    public void AnIndexThatDisagreesWithItsShardsIsRefused(string index, string expected)
    {
        using var temp = new TempFolder();
        Write(temp.Path, "a.safetensors", Bytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Float32(1)));
        Write(temp.Path, "b.safetensors", Bytes("{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Float32(2)));
        Write(temp.Path, "c.safetensors", Bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Float32(3, 4)));
        temp.Write("model.safetensors.index.json", index);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));

        Assert.Contains(expected, ex.Message);
    }
}
