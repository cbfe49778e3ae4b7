using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogLikeMap.Core.TextSets;

/// <summary>
/// Reads and writes text sets as the paper's JSON Lines (<c>texts-10k-pile.jsonl</c>): one object a line with
/// <c>index</c> (integer), <c>text</c> (string) and <c>pile_set_name</c> (string); other fields are kept.
/// </summary>
public static class TextSetFile
{
    private const string IndexField = "index";
    private const string TextField = "text";
    private const string DomainField = "pile_set_name";

    public static async Task<TextSet> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Text file '{path}' does not exist.", path);
        var texts = new List<TextRecord>();
        var lineOfIndex = new Dictionary<long, int>();
        var lineNumber = 0;
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var text = ParseLine(line, path, lineNumber);
            if (!lineOfIndex.TryAdd(text.Index, lineNumber))
                throw new InvalidDataException($"{path}, line {lineNumber}: index {text.Index} already appears on line {lineOfIndex[text.Index]}.");
            texts.Add(text);
        }
        if (texts.Count == 0)
            throw new InvalidDataException($"{path}: the file holds no texts.");
        return new TextSet(texts);
    }

    public static async Task WriteAsync(string path, IEnumerable<TextRecord> texts, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteAsync(ToLine(text));
            await writer.WriteAsync('\n');
        }
    }

    /// <summary>One JSON line: index, text, pile_set_name, then the extra fields in their original order.</summary>
    public static string ToLine(TextRecord text)
    {
        var line = new JsonObject
        {
            [IndexField] = text.Index,
            [TextField] = text.Text,
        };
        if (text.Domain is not null)
            line[DomainField] = text.Domain;
        if (text.ExtraFields is not null)
        {
            foreach (var (name, value) in text.ExtraFields)
                line[name] = value?.DeepClone();
        }
        // Python's json.dumps escapes non-ASCII by default; keeping UTF-8 as is reads back identically and stays legible.
        return line.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static TextRecord ParseLine(string line, string path, int lineNumber)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(line) as JsonObject
                ?? throw new InvalidDataException($"{path}, line {lineNumber}: expected a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}, line {lineNumber}: not valid JSON ({ex.Message}).", ex);
        }

        if (obj[IndexField] is not JsonValue indexValue || !indexValue.TryGetValue<long>(out var index))
            throw new InvalidDataException($"{path}, line {lineNumber}: \"{IndexField}\" must be an integer.");
        if (obj[TextField] is not JsonValue textValue || !textValue.TryGetValue<string>(out var text))
            throw new InvalidDataException($"{path}, line {lineNumber}: \"{TextField}\" must be a string.");
        if (text.Length == 0)
            throw new InvalidDataException($"{path}, line {lineNumber}: the text is empty.");
        string? domain = null;
        if (obj[DomainField] is { } domainNode && (domainNode is not JsonValue domainValue || !domainValue.TryGetValue(out domain)))
            throw new InvalidDataException($"{path}, line {lineNumber}: \"{DomainField}\" must be a string.");

        obj.Remove(IndexField);
        obj.Remove(TextField);
        obj.Remove(DomainField);
        return new TextRecord(index, text, domain, obj.Count > 0 ? obj : null);
    }
}
