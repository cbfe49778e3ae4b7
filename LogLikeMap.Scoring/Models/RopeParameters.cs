using LogLikeMap.Scoring.Checkpoints;
using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// transformers 5 saves the rotary settings of every architecture in one object, <c>rope_parameters</c>
/// (<c>{"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, ...}</c>), where the releases and transformers 4
/// wrote <c>rope_theta</c> and <c>rope_scaling</c> at the top. Gemma 3 nests one such object per layer type
/// (<c>full_attention</c>, <c>sliding_attention</c>). The architectures read the release keys, so a config in the new
/// form is rewritten into them first; without this a transformers-5 config would silently run with the default base
/// (10,000), scoring a Llama 3 wrongly.
/// </summary>
internal static class RopeParameters
{
    private const string Key = "rope_parameters";

    /// <summary>Keys that transformers 5 moved into <c>rope_parameters</c> from the top of the config.</summary>
    private static readonly string[] TopLevelKeys = ["partial_rotary_factor", "original_max_position_embeddings"];

    /// <summary>
    /// The config with <c>rope_parameters</c> written as <c>rope_theta</c>, <c>rope_scaling</c> (unless its type is
    /// <c>default</c>) and, for Gemma 3's sliding layers, <c>rope_local_base_freq</c>; the config itself when it has no
    /// <c>rope_parameters</c>. A value given both ways must agree.
    /// </summary>
    public static JsonObject AsReleaseKeys(JsonObject config)
    {
        if (config[Key] is null)
            return config;
        if (config[Key] is not JsonObject parameters)
            throw Invalid(config, $"'{Key}' has the value {config[Key]!.ToJsonString()}, which is not an object.");

        var rewritten = config.DeepClone().AsObject();
        rewritten.Remove(Key);
        if (parameters["full_attention"] is JsonObject full)
        {
            Apply(rewritten, full, thetaKey: "rope_theta", withScaling: true);
            if (parameters["sliding_attention"] is JsonObject sliding)
                Apply(rewritten, sliding, thetaKey: "rope_local_base_freq", withScaling: false);
        }
        else
        {
            Apply(rewritten, parameters, thetaKey: "rope_theta", withScaling: true);
        }
        return rewritten;
    }

    private static void Apply(JsonObject config, JsonObject parameters, string thetaKey, bool withScaling)
    {
        if (parameters["rope_theta"] is { } theta)
            Set(config, thetaKey, theta);
        foreach (var key in TopLevelKeys)
        {
            if (parameters[key] is { } value)
                Set(config, key, value);
        }

        var type = parameters["rope_type"]?.ToString() ?? "default";
        if (type == "default")
            return;
        if (!withScaling)
            throw Invalid(config, $"'{Key}' gives the sliding layers rope_type '{type}'; only the default rope is supported there.");
        var scaling = parameters.DeepClone().AsObject();
        scaling.Remove("rope_theta");
        Set(config, "rope_scaling", scaling);
    }

    /// <summary>Sets a key the new form carries; a release key already there must say the same.</summary>
    private static void Set(JsonObject config, string key, JsonNode value)
    {
        if (config[key] is { } given && !JsonNode.DeepEquals(Comparable(given), Comparable(value)))
        {
            throw Invalid(config,
                $"'{key}' is {given.ToJsonString()} but '{Key}' says {value.ToJsonString()}; remove one of them.");
        }
        config[key] = value.DeepClone();
    }

    /// <summary>10000 and 10000.0 are one value; rope_scaling's legacy "type" key is its "rope_type".</summary>
    private static JsonNode Comparable(JsonNode node) => node switch
    {
        JsonValue value when value.TryGetValue<double>(out var number) => JsonValue.Create(number),
        JsonObject scaling => new JsonObject(scaling
            .Where(p => p.Key != "type" || scaling["rope_type"] is null)
            .Select(p => KeyValuePair.Create(p.Key == "type" ? "rope_type" : p.Key, p.Value is null ? null : Comparable(p.Value)))),
        _ => node,
    };

    private static CheckpointException Invalid(JsonObject config, string message) =>
        new($"config.json ({config["model_type"]?.ToString() ?? "no model_type"}): {message}");
}
