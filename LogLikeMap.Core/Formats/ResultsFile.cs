using System.Text;
using System.Text.Json;

namespace LogLikeMap.Core.Formats;

/// <summary>One text's score in the paper's results format: <c>{"index": i, "num-tokens": n, "log-likelihood": x}</c>.</summary>
public readonly record struct TextScore(long Index, int TokenCount, double LogLikelihood);

/// <summary>
/// The paper's per-model scoring output (<c>1000models/codes/src/calculator/runner.py</c>): JSON Lines, one text a
/// line. Other fields on a line (the paper also stores <c>token-log-probs</c>) are skipped.
/// </summary>
public static class ResultsFile
{
    /// <summary>Reads a results file; the scores come back sorted by text index.</summary>
    public static IReadOnlyList<TextScore> Read(string path, CancellationToken cancellationToken)
    {
        // Parsed as UTF-8 bytes, line by line, without making strings: a 1,018-model release is 10 million lines.
        var bytes = File.ReadAllBytes(path);
        var scores = new List<TextScore>();
        var seen = new HashSet<long>();
        var lineNumber = 0;
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0; // a UTF-8 byte-order mark, as some editors write
        while (start < bytes.Length)
        {
            lineNumber++;
            if (lineNumber % 4096 == 0)
                cancellationToken.ThrowIfCancellationRequested();
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
                end = bytes.Length;
            var line = bytes.AsSpan(start, end - start).Trim("\r \t"u8);
            start = end + 1;
            if (line.IsEmpty)
                continue;
            var score = ParseLine(line, path, lineNumber);
            if (!seen.Add(score.Index))
                throw new InvalidDataException($"{path}, line {lineNumber}: text index {score.Index} appears twice.");
            scores.Add(score);
        }
        if (scores.Count == 0)
            throw new InvalidDataException($"{path}: the results file holds no scores.");
        scores.Sort((a, b) => a.Index.CompareTo(b.Index));
        return scores;
    }

    /// <summary>Writes scores as the paper does, one line per text, sorted by index.</summary>
    public static void Write(string path, IEnumerable<TextScore> scores)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var score in scores.OrderBy(s => s.Index))
        {
            writer.Write("{\"index\": ");
            writer.Write(score.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(", \"num-tokens\": ");
            writer.Write(score.TokenCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(", \"log-likelihood\": ");
            // "R" round-trips a double exactly, as Python's repr does.
            writer.Write(score.LogLikelihood.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            writer.Write("}\n");
        }
    }

    private static TextScore ParseLine(ReadOnlySpan<byte> line, string path, int lineNumber)
    {
        long? index = null;
        int? tokens = null;
        double? logLikelihood = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected a JSON object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    index = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("num-tokens"u8))
                {
                    reader.Read();
                    tokens = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("log-likelihood"u8))
                {
                    reader.Read();
                    logLikelihood = reader.GetDouble();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException(
                $"{path}, line {lineNumber}: not a valid results line ({ex.Message}). NaN and Infinity are not allowed.", ex);
        }
        if (index is null || tokens is null || logLikelihood is null)
        {
            throw new InvalidDataException(
                $"{path}, line {lineNumber}: a results line needs \"index\", \"num-tokens\" and \"log-likelihood\".");
        }
        if (!double.IsFinite(logLikelihood.Value))
            throw new InvalidDataException($"{path}, line {lineNumber}: log-likelihood {logLikelihood} is not a finite number.");
        if (index < 0 || tokens < 0)
            throw new InvalidDataException($"{path}, line {lineNumber}: index and num-tokens must not be negative.");
        return new TextScore(index.Value, tokens.Value, logLikelihood.Value);
    }
}
