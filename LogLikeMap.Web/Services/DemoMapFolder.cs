using System.Text.Json;
using System.Text.Json.Serialization;

namespace LogLikeMap.Web.Services;

/// <summary>
/// The built-in demo map as the zoo ships it: <c>texts.jsonl</c> (paper text format), <c>models.jsonl</c>
/// (one model card a line) and <c>results/NAME.jsonl</c> (paper results format, '/' in a name written "__").
/// </summary>
internal sealed record DemoMapFolder(
    IReadOnlyList<DemoText> Texts, IReadOnlyList<DemoModel> Models, double[] LogLikelihoods)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<DemoMapFolder> ReadAsync(string folder, CancellationToken ct)
    {
        var texts = await ReadLinesAsync<DemoText>(Path.Combine(folder, "texts.jsonl"), ct);
        var models = await ReadLinesAsync<DemoModel>(Path.Combine(folder, "models.jsonl"), ct);
        var column = new Dictionary<long, int>();
        for (var s = 0; s < texts.Count; s++)
        {
            if (!column.TryAdd(texts[s].Index, s))
                throw new InvalidDataException($"{folder}/texts.jsonl: index {texts[s].Index} appears twice.");
        }

        var values = new double[(long)models.Count * texts.Count];
        for (var i = 0; i < models.Count; i++)
        {
            var file = Path.Combine(folder, "results", models[i].Name.Replace("/", "__", StringComparison.Ordinal) + ".jsonl");
            var scores = await ReadLinesAsync<DemoScore>(file, ct);
            var seen = new bool[texts.Count];
            foreach (var score in scores)
            {
                if (!column.TryGetValue(score.Index, out var s) || seen[s])
                    throw new InvalidDataException($"{file}: text index {score.Index} is not in texts.jsonl or appears twice.");
                if (!double.IsFinite(score.LogLikelihood))
                    throw new InvalidDataException($"{file}: text index {score.Index} has a log-likelihood that is not finite.");
                seen[s] = true;
                values[((long)i * texts.Count) + s] = score.LogLikelihood;
            }
            if (Array.IndexOf(seen, false) is var missing and >= 0)
                throw new InvalidDataException($"{file}: no score for text index {texts[missing].Index}.");
        }
        return new DemoMapFolder(texts, models, values);
    }

    private static async Task<List<T>> ReadLinesAsync<T>(string file, CancellationToken ct)
    {
        var items = new List<T>();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(file, ct))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            items.Add(JsonSerializer.Deserialize<T>(line, Json)
                ?? throw new InvalidDataException($"{file} line {lineNumber}: expected a JSON object."));
        }
        return items;
    }
}

internal sealed record DemoText(
    [property: JsonPropertyName("index")] long Index,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("pile_set_name")] string? Domain);

internal sealed record DemoModel(
    string Name, string Family, string? Architecture, long? Parameters, DateTimeOffset? Created);

internal sealed record DemoScore(
    [property: JsonPropertyName("index")] long Index,
    [property: JsonPropertyName("num-tokens")] int TokenCount,
    [property: JsonPropertyName("log-likelihood")] double LogLikelihood);
