using LogLikeMap.Scoring.Checkpoints;
using System.Reflection;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// One supported architecture: the config.json <c>model_type</c> it answers to, the prefix of its body's keys
/// (HF's <c>base_model_prefix</c>; some checkpoints, such as OpenAI's GPT-2, store the body without it) and how to
/// build the module from config.json.
/// </summary>
public sealed record ModelArchitecture(string ModelType, string BaseModelPrefix, Func<JsonObject, CausalLanguageModel> Create);

/// <summary>
/// The architectures LogLikeMap can score and train. Each file in this folder declares its own as a public static
/// <c>Architecture</c> property, which the registry finds, so adding an architecture means adding its file only.
/// </summary>
public static class ModelRegistry
{
    private const string DeclaringProperty = "Architecture";

    private static readonly ModelArchitecture[] Architectures = Discover();

    /// <summary>The supported config.json <c>model_type</c> values.</summary>
    public static IReadOnlyList<string> ModelTypes { get; } = Architectures.Select(a => a.ModelType).ToArray();

    /// <summary>The architecture for a <c>model_type</c>; an unsupported type is refused with the supported list.</summary>
    public static ModelArchitecture Find(string modelType) =>
        Array.Find(Architectures, a => a.ModelType == modelType)
        ?? throw new CheckpointException(
            $"The architecture (model_type) '{modelType}' is not supported. Supported: {string.Join(", ", ModelTypes)}.");

    private static ModelArchitecture[] Discover()
    {
        var found = typeof(ModelRegistry).Assembly.GetTypes()
            .Select(t => t.GetProperty(DeclaringProperty, BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(ModelArchitecture))
            .Select(p => (ModelArchitecture)p!.GetValue(null)!)
            .OrderBy(a => a.ModelType, StringComparer.Ordinal)
            .ToArray();
        var twice = found.GroupBy(a => a.ModelType).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? found : throw new InvalidOperationException($"Two architectures answer to model_type '{twice.Key}'.");
    }

    /// <summary>
    /// A model from the contents of a config.json (which names its <c>model_type</c>), its parameters born in
    /// <paramref name="dtype"/> (float32 by default) on <paramref name="device"/> (the CPU by default) and uninitialised
    /// (<see cref="Layers"/>): load its weights with <see cref="CheckpointLoader"/> or initialise them with
    /// <see cref="CausalLanguageModel.InitializeWeights"/>. On <paramref name="device"/> <c>META</c> the parameters have
    /// shapes and no storage, so any config builds in no memory (<see cref="ModelShapeCheck"/>).
    /// </summary>
    /// <remarks>
    /// Built in its dtype, not converted after: a 7B model built in float32 would hold 28 GB next to its 14 GB in
    /// bfloat16. The dtype and device reach the layers through <see cref="Layers.Building"/>, which is per thread, so
    /// building here never changes what another thread's tensors are made as.
    /// </remarks>
    public static CausalLanguageModel Create(JsonObject config, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var modelType = config["model_type"]?.GetValue<string>()
            ?? throw new CheckpointException("config.json has no 'model_type'; it cannot say which architecture to build.");
        var architecture = Find(modelType);
        using (Layers.Building(dtype, device ?? CPU))
            return architecture.Create(RopeParameters.AsReleaseKeys(config));
    }
}
