using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Tests.PaperData;
using static LogLikeMap.Tests.Checkpoints.SafetensorsWriter;

namespace LogLikeMap.Tests.Checkpoints;

public class CheckpointFolderTests
{
    [Theory]
    [InlineData("gpt2-tiny", "gpt2", 50257)]
    [InlineData("llama-spm", "llama", 32000)]
    [InlineData("neox-tiny", "gpt_neox", 50304)]
    public void OpensTheFixturesAndReadsTheirModelType(string name, string modelType, int vocabularySize)
    {
        var folder = CheckpointFolder.Open(ScoringFixtures.ModelFolder(name));

        Assert.Equal(modelType, folder.ModelType);
        Assert.Equal(vocabularySize, (int)folder.Config["vocab_size"]!);
        Assert.Equal(ScoringFixtures.ModelFolder(name), folder.Path);
    }

    [Fact]
    public void AMissingConfigIsRefused()
    {
        using var temp = ValidFolderWithout("config.json");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(temp.Path));

        Assert.Contains("has no config.json", ex.Message);
    }

    [Theory]
    [InlineData("{\"model_type\": \"gpt2\",", "config.json is not valid JSON")]
    [InlineData("[\"gpt2\"]", "config.json must hold a JSON object")]
    [InlineData("{\"n_layer\": 2}", "config.json has no \"model_type\" string")]
    [InlineData("{\"model_type\": 7}", "config.json has no \"model_type\" string")]
    public void ABadConfigIsRefused(string config, string expected)
    {
        using var temp = ValidFolderWithout("config.json");
        temp.Write("config.json", config);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(temp.Path));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void AMissingTokenizerIsRefused()
    {
        using var temp = ValidFolderWithout("vocab.json", "merges.txt");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(temp.Path));

        Assert.Contains("has no tokenizer: expected tokenizer.json, or vocab.json + merges.txt", ex.Message);
    }

    [Fact]
    public void HalfABytePairTokenizerIsRefused()
    {
        using var temp = ValidFolderWithout("merges.txt");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(temp.Path));

        Assert.Contains("has vocab.json but not merges.txt", ex.Message);
    }

    [Fact]
    public void APickleOnlyFolderIsRefused()
    {
        using var temp = ValidFolderWithout("model.safetensors");
        temp.Write("pytorch_model.bin", "pickle");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(temp.Path));

        Assert.Contains("pickled PyTorch weights (pytorch_model.bin)", ex.Message);
    }

    [Fact]
    public void CorruptWeightsAreRefusedBeforeScoring()
    {
        using var temp = ValidFolderWithout("model.safetensors");
        Write(temp.Path, "model.safetensors", Bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", new byte[8]));

        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(temp.Path));

        Assert.Contains("model.safetensors is not a valid safetensors file", ex.Message);
    }

    [Fact]
    public void AMissingFolderIsRefused()
    {
        var ex = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open("/nonexistent/checkpoint"));

        Assert.Contains("/nonexistent/checkpoint: the checkpoint folder does not exist", ex.Message);
    }

    /// <summary>A copy of gpt2-tiny without some of its files.</summary>
    private static TempFolder ValidFolderWithout(params string[] fileNames)
    {
        var temp = new TempFolder();
        foreach (var file in Directory.EnumerateFiles(ScoringFixtures.ModelFolder("gpt2-tiny")))
        {
            if (!fileNames.Contains(Path.GetFileName(file)))
                File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        }
        return temp;
    }
}
