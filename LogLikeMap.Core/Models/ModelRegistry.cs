using LogLikeMap.Core.Checkpoints;
using System.Text.Json.Nodes;

namespace LogLikeMap.Core.Models;

/// <summary>
/// One supported architecture: the config.json <c>model_type</c> it answers to, the prefix of its body's keys
/// (HF's <c>base_model_prefix</c>; some checkpoints, such as OpenAI's GPT-2, store the body without it) and how to
/// build the module from config.json.
/// </summary>
public sealed record ModelArchitecture(string ModelType, string BaseModelPrefix, Func<JsonObject, CausalLanguageModel> Create);

/// <summary>The architectures LogLikeMap can score and train. Adding one means one file and one line here.</summary>
public static class ModelRegistry
{
    private static readonly ModelArchitecture[] Architectures =
    [
        Gpt2.Architecture,
        Llama.Architecture,
        Mistral.Architecture,
        Qwen2.Architecture,
        GptNeoX.Architecture,
    ];

    /// <summary>The supported config.json <c>model_type</c> values.</summary>
    public static IReadOnlyList<string> ModelTypes { get; } = Architectures.Select(a => a.ModelType).ToArray();

    /// <summary>The architecture for a <c>model_type</c>; an unsupported type is refused with the supported list.</summary>
    public static ModelArchitecture Find(string modelType) =>
        Array.Find(Architectures, a => a.ModelType == modelType)
        ?? throw new CheckpointException(
            $"The architecture (model_type) '{modelType}' is not supported. Supported: {string.Join(", ", ModelTypes)}.");

    /// <summary>A randomly initialised model from the contents of a config.json (which names its <c>model_type</c>).</summary>
    public static CausalLanguageModel Create(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var modelType = config["model_type"]?.GetValue<string>()
            ?? throw new CheckpointException("config.json has no 'model_type'; it cannot say which architecture to build.");
        return Find(modelType).Create(config);
    }
}
