using System.Text.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;

namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// A Hugging Face checkpoint folder checked before anything is scored: <c>config.json</c> is valid JSON with a
/// <c>model_type</c>, the weights are safetensors whose headers validate, and the tokenizer loads. Each
/// failure throws a <see cref="CheckpointException"/> that names the file and what to do.
/// </summary>
public sealed class CheckpointFolder
{
    public const string ConfigFileName = "config.json";

    private CheckpointFolder(string path, string modelType, JsonObject config, HfTokenizer tokenizer)
    {
        Path = path;
        ModelType = modelType;
        Config = config;
        Tokenizer = tokenizer;
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary><c>config.json</c>'s <c>model_type</c> (<c>gpt2</c>, <c>llama</c>, <c>gpt_neox</c>, ...).</summary>
    public string ModelType { get; }

    /// <summary>The whole <c>config.json</c>.</summary>
    public JsonObject Config { get; }

    /// <summary>The checkpoint's tokenizer, loaded while validating (loading a large vocabulary takes a moment; reuse this one).</summary>
    public HfTokenizer Tokenizer { get; }

    /// <summary>Validates a checkpoint folder.</summary>
    public static CheckpointFolder Open(string path)
    {
        var folder = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(folder))
            throw new CheckpointException($"{folder}: the checkpoint folder does not exist.");
        var (config, modelType) = ReadConfig(folder);
        // Opening validates every weight file's header (the headers are small; no tensor is read).
        using (CheckpointWeights.Open(folder)) { }
        var tokenizer = HfTokenizer.Load(folder);
        return new CheckpointFolder(folder, modelType, config, tokenizer);
    }

    /// <summary>Opens the folder's weights for reading; the caller disposes them.</summary>
    public CheckpointWeights OpenWeights() => CheckpointWeights.Open(Path);

    private static (JsonObject Config, string ModelType) ReadConfig(string folder)
    {
        var configPath = System.IO.Path.Combine(folder, ConfigFileName);
        if (!File.Exists(configPath))
            throw new CheckpointException($"{folder} has no {ConfigFileName}. A Hugging Face checkpoint folder needs the config.json saved with the model (save_pretrained writes it).");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllBytes(configPath), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{configPath} is not valid JSON ({ex.Message}).", ex);
        }
        if (node is not JsonObject config)
            throw new CheckpointException($"{configPath} must hold a JSON object.");
        if (config["model_type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var modelType) || string.IsNullOrWhiteSpace(modelType))
            throw new CheckpointException($"{configPath} has no \"model_type\" string, so the architecture is unknown. Use the config.json saved by transformers with the model.");
        return (config, modelType);
    }
}
