using LogLikeMap.Scoring.Checkpoints;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// Typed reads from a Hugging Face <c>config.json</c>. A key that is absent or JSON <c>null</c> takes the default of
/// the architecture's HF config class (given by the caller); a value of the wrong kind is an error naming the key.
/// </summary>
internal sealed class ConfigReader(JsonObject config, string modelType)
{
    public int Int(string key, int fallback) => Read(key, fallback, "an integer", node => node.GetValue<int>());

    public int RequiredInt(string key) => Required(key, "an integer", node => node.GetValue<int>());

    public int? OptionalInt(string key) => Read<int?>(key, null, "an integer", node => node.GetValue<int>());

    public double Double(string key, double fallback) => Read(key, fallback, "a number", node => node.GetValue<double>());

    public bool Bool(string key, bool fallback) => Read(key, fallback, "true or false", node => node.GetValue<bool>());

    public string String(string key, string fallback) => Read(key, fallback, "a string", node => node.GetValue<string>());

    public JsonObject? Object(string key) => Read<JsonObject?>(key, null, "an object", node => node.AsObject());

    /// <summary>True when the key is present with a non-null value.</summary>
    public bool Has(string key) => config[key] is not null;

    public CheckpointException Invalid(string message) =>
        new($"config.json ({modelType}): {message}");

    private T Required<T>(string key, string kind, Func<JsonNode, T> read) =>
        Has(key) ? Read(key, default!, kind, read) : throw Invalid($"the key '{key}' is missing.");

    private T Read<T>(string key, T fallback, string kind, Func<JsonNode, T> read)
    {
        var node = config[key];
        if (node is null)
            return fallback;
        try
        {
            return read(node);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
        {
            throw Invalid($"'{key}' has the value {node.ToJsonString()}, which is not {kind}.");
        }
    }
}
