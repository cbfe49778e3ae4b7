using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Formats.Pickles;

namespace LogLikeMap.Store.Catalog;

/// <summary>
/// Reads model metadata from any of the supported files, by extension and content:
/// <list type="bullet">
/// <item><c>.jsonl</c>: the project's <c>models.jsonl</c>, one object a line with <c>name</c> (required),
/// <c>family</c>, <c>architecture</c>, <c>parameters</c> (integer), <c>source</c>, <c>created</c> (ISO 8601) and any
/// other fields (<c>data_mixture</c>, <c>seed</c>, <c>step</c>, <c>parent</c>...), which are kept;</item>
/// <item><c>.pkl</c>: the release's <c>name_type_color_1018.pkl</c> (family, architecture, colour) or
/// <c>model-data-1018.pkl</c> (family, size, creation date, downloads, benchmark scores).</item>
/// </list>
/// </summary>
public static class ModelMetadataFiles
{
    private static readonly string[] KnownFields = ["name", "family", "architecture", "parameters", "source", "created"];

    public static async Task<IReadOnlyList<ModelMetadata>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Metadata file '{path}' does not exist.", path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" => await ReadJsonLinesAsync(path, cancellationToken),
            ".pkl" or ".pickle" => FromPickle(path),
            var other => throw new InvalidDataException(
                $"'{path}': unknown metadata format '{other}'. Use models.jsonl, name_type_color_1018.pkl or model-data-1018.pkl."),
        };
    }

    public static async Task<IReadOnlyList<ModelMetadata>> ReadJsonLinesAsync(string path, CancellationToken cancellationToken)
    {
        var models = new List<ModelMetadata>();
        var lineOfName = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var model = ParseLine(line, path, lineNumber);
            if (!lineOfName.TryAdd(model.Name, lineNumber))
                throw new InvalidDataException($"{path}, line {lineNumber}: model '{model.Name}' already appears on line {lineOfName[model.Name]}.");
            models.Add(model);
        }
        return models;
    }

    private static ModelMetadata ParseLine(string line, string path, int lineNumber)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"{path}, line {lineNumber}: expected a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}, line {lineNumber}: not valid JSON ({ex.Message}).", ex);
        }

        string? Text(string field) => obj[field] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw new InvalidDataException($"{path}, line {lineNumber}: \"{field}\" must be a string."),
        };

        var name = Text("name");
        if (string.IsNullOrWhiteSpace(name))
            throw new InvalidDataException($"{path}, line {lineNumber}: every model needs a \"name\".");
        long? parameters = obj["parameters"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<long>(out var n) && n >= 0 => n,
            _ => throw new InvalidDataException($"{path}, line {lineNumber} (model '{name}'): \"parameters\" must be a non-negative integer."),
        };
        DateTime? created = null;
        if (Text("created") is { } createdText)
        {
            if (!DateTimeOffset.TryParse(createdText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                throw new InvalidDataException($"{path}, line {lineNumber} (model '{name}'): \"created\" '{createdText}' is not an ISO 8601 date.");
            created = parsed.UtcDateTime;
        }

        var extra = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (!KnownFields.Contains(key))
                extra[key] = value?.DeepClone();
        }
        return new ModelMetadata(name)
        {
            Family = Text("family"),
            Architecture = Text("architecture"),
            ParameterCount = parameters,
            Source = Text("source"),
            CreatedAt = created,
            Extra = extra.Count > 0 ? extra : null,
        };
    }

    private static List<ModelMetadata> FromPickle(string path) => RestrictedUnpickler.Load(path) switch
    {
        PickleDict dict when dict.TryGet("data", out _) => [.. NameTypeColorFile.Interpret(dict, path).Select(FromFamilyEntry)],
        List<object?> list => [.. ModelDataFile.Interpret(list, path).Select(FromModelData)],
        _ => throw new InvalidDataException($"{path}: not name_type_color_1018.pkl (a dict with 'data') nor model-data-1018.pkl (a list of dicts)."),
    };

    private static ModelMetadata FromFamilyEntry(ModelFamilyEntry entry) => new(entry.Name)
    {
        Family = entry.Family,
        Architecture = entry.Architecture,
        Source = "huggingface",
        Extra = new JsonObject { ["color"] = entry.Color.ToHex() },
    };

    private static ModelMetadata FromModelData(PaperModelRecord record)
    {
        var extra = new JsonObject();
        if (record.Downloads is { } downloads)
            extra["downloads"] = downloads;
        if (record.MeanLogLikelihood is { } mean)
            extra["mean_logp"] = mean;
        foreach (var (benchmark, score) in record.Benchmarks)
        {
            if (score is { } value)
                extra[benchmark] = value;
        }
        return new ModelMetadata(record.Name)
        {
            Family = record.ModelType,
            // model_size is in billions of parameters.
            ParameterCount = record.SizeBillions is { } billions ? (long)Math.Round(billions * 1e9) : null,
            Source = "huggingface",
            CreatedAt = record.CreatedAt is { } created ? DateTime.SpecifyKind(created, DateTimeKind.Utc) : null,
            Extra = extra.Count > 0 ? extra : null,
        };
    }
}
