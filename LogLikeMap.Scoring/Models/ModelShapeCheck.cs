using System.Globalization;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// What loading a checkpoint's model will take: its parameter count and the largest tensor the loader stages.
/// </summary>
/// <param name="ParameterCount">Elements of all parameters and buffers of the model config.json describes.</param>
/// <param name="LargestStoredTensorBytes">The largest stored tensor, which <see cref="CheckpointLoader"/> reads whole before copying it in.</param>
public sealed record ModelFootprint(long ParameterCount, long LargestStoredTensorBytes)
{
    /// <summary>Bytes to hold the weights in the scoring dtype while loading: every parameter plus one staged tensor.</summary>
    public long BytesToLoad(ScoringPrecision precision) => ParameterCount * ElementSize(precision) + LargestStoredTensorBytes;

    private static long ElementSize(ScoringPrecision precision) => precision switch
    {
        ScoringPrecision.Float16 or ScoringPrecision.BFloat16 => 2,
        _ => 4,
    };
}

/// <summary>
/// Checks config.json against the weights' safetensors headers before any tensor exists, for every registered
/// architecture alike: the model is built on libtorch's <c>meta</c> device (shapes without storage, so a config asking
/// for terabytes costs nothing) and each parameter's name and shape is compared with the stored tensor, as
/// <see cref="CheckpointLoader"/> will compare them. A mismatch names the config.json field, its value and the tensor.
/// </summary>
/// <remarks>
/// Building costs time and memory in the number of modules even on <c>meta</c> (about 2 ms and 30 kB a GPT-2 block on
/// this project's 2-core machine), so the counts of repeated blocks are bounded first, by the block numbers the tensor
/// names carry: <c>transformer.h.11.attn...</c> shows blocks up to 11, and a config asking for a million cannot belong
/// to these weights.
/// </remarks>
public static class ModelShapeCheck
{
    /// <summary>
    /// Hugging Face's names for the counts of repeated blocks (<c>PretrainedConfig.attribute_map</c> maps the older
    /// spellings to <c>num_hidden_layers</c>; mixture-of-experts configs count experts per layer).
    /// </summary>
    private static readonly string[] BlockCountKeys =
        ["num_hidden_layers", "n_layer", "n_layers", "num_layers", "num_local_experts", "num_experts", "n_routed_experts"];

    /// <summary>
    /// Checks the folder's config.json against its weights; throws a <see cref="CheckpointException"/> naming the field,
    /// its value and the tensor when they disagree. Files are named relative to the checkpoint folder.
    /// </summary>
    public static ModelFootprint Check(CheckpointFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        using var weights = folder.OpenWeights();
        var architecture = ModelRegistry.Find(folder.ModelType);
        var stored = weights.TensorNames.ToDictionary(name => name, weights.Info, StringComparer.Ordinal);
        var names = stored.Keys.ToHashSet(StringComparer.Ordinal);
        CheckBlockCounts(folder.Config, architecture, names);
        using var model = BuildWithoutStorage(folder.Config, architecture);
        var parameterCount = 0L;
        var missing = new List<string>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            parameterCount += parameter.numel();
            var key = CheckpointLoader.StoredKey(name, architecture.BaseModelPrefix, names);
            if (key is null)
            {
                missing.Add(name);
                continue;
            }
            var needed = model.StoredTransposed(name) ? parameter.shape.Reverse().ToArray() : parameter.shape;
            if (!stored[key].Shape.SequenceEqual(needed))
                throw ShapeMismatch(folder.Config, architecture, stored[key], needed);
        }
        if (missing.Count > 0)
        {
            throw new CheckpointException(
                $"{CheckpointFolder.ConfigFileName} ({architecture.ModelType}) needs {missing.Count} tensor(s) that the weights lack: " +
                $"{string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}. Upload the config.json saved with these weights.");
        }
        parameterCount += model.named_buffers().Sum(b => b.buffer.numel());
        return new ModelFootprint(parameterCount, stored.Values.Max(t => t.ByteLength));
    }

    /// <summary>A count of blocks beyond the highest block number in the tensor names is refused before building.</summary>
    private static void CheckBlockCounts(JsonObject config, ModelArchitecture architecture, IEnumerable<string> tensorNames)
    {
        var (highest, example) = HighestBlockNumber(tensorNames);
        foreach (var key in BlockCountKeys)
        {
            if (IntegerValue(config[key]) is not { } count || count <= highest + 1)
                continue;
            if (count < 0)
                throw Invalid(architecture, $"'{key}' is {count}; a count of blocks cannot be negative.");
            var found = example is null
                ? "no tensor name carries a block number"
                : $"the highest block number in the tensor names is {highest} (tensor '{example}')";
            throw Invalid(architecture,
                $"'{key}' is {count}, but {found}. The config.json does not belong to these weights: upload the config.json saved with them.");
        }
    }

    /// <summary>The largest number that is a whole segment of a dotted tensor name (<c>model.layers.31.mlp</c>: 31), or -1.</summary>
    private static (long Highest, string? Example) HighestBlockNumber(IEnumerable<string> tensorNames)
    {
        var (highest, example) = (-1L, (string?)null);
        foreach (var name in tensorNames)
        {
            foreach (var segment in name.Split('.'))
            {
                if (long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > highest)
                    (highest, example) = (number, name);
            }
        }
        return (highest, example);
    }

    /// <summary>The module on the meta device; a config that cannot be built (a negative size) is refused naming its negative fields.</summary>
    private static CausalLanguageModel BuildWithoutStorage(JsonObject config, ModelArchitecture architecture)
    {
        try
        {
            return ModelRegistry.Create(config, ScalarType.Float32, META);
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            var negative = IntegerFields(config).Where(f => f.Value < 0).Select(f => $"'{f.Key}' is {f.Value}").ToArray();
            var reason = negative.Length > 0
                ? $"{string.Join(", ", negative)}, and sizes cannot be negative."
                : "its sizes do not make a model (" + TorchErrorText.FirstLine(e) + ").";
            throw Invalid(architecture, $"no model can be built from it: {reason} Upload the config.json saved with these weights.", e);
        }
    }

    /// <summary>Names the config.json fields whose value is the dimension the config asks for and the weights do not have.</summary>
    private static CheckpointException ShapeMismatch(JsonObject config, ModelArchitecture architecture, TensorInfo stored, long[] needed)
    {
        var fields = new List<string>();
        if (stored.Shape.Length == needed.Length)
        {
            for (var d = 0; d < needed.Length; d++)
            {
                if (stored.Shape[d] == needed[d])
                    continue;
                fields.AddRange(IntegerFields(config).Where(f => f.Value == needed[d]).Select(f => $"'{f.Key}' is {f.Value}"));
            }
        }
        var cause = fields.Count > 0 ? string.Join(" and ", fields.Distinct()) + ", so " : "";
        return Invalid(architecture,
            $"{cause}the tensor '{stored.Name}' should have shape [{string.Join(", ", needed)}], but the weights store it as " +
            $"[{string.Join(", ", stored.Shape)}]. The config.json does not belong to these weights: upload the config.json saved with them.");
    }

    /// <summary>Top-level integer fields of config.json with their values.</summary>
    private static IEnumerable<(string Key, long Value)> IntegerFields(JsonObject config) =>
        config.Select(p => (p.Key, Value: IntegerValue(p.Value))).Where(p => p.Value is not null).Select(p => (p.Key, p.Value!.Value));

    private static long? IntegerValue(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static CheckpointException Invalid(ModelArchitecture architecture, string message, Exception? inner = null)
    {
        var text = $"{CheckpointFolder.ConfigFileName} ({architecture.ModelType}): {message}";
        return inner is null ? new CheckpointException(text) : new CheckpointException(text, inner);
    }
}
