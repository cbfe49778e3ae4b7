using System.Globalization;
using System.Text;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// The matrix as CSV: a header <c>model,&lt;text index&gt;,&lt;text index&gt;,...</c> and one row per model,
/// <c>name,x_0,x_1,...</c>, numbers in invariant culture (<c>.</c> decimal point). A field may be quoted as
/// RFC 4180 says (a model name holding a comma or a quote).
/// </summary>
public static class MatrixCsv
{
    public static LoadedMatrix Read(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine()
            ?? throw new InvalidDataException($"{path}: the file is empty; expected a header 'model,<text indices...>'.");
        var headerFields = CsvFields.Split(header, path, 1);
        if (headerFields.Count < 2 || !string.Equals(headerFields[0], "model", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}, line 1: the header must be 'model,<text index>,<text index>,...'.");
        var indices = new long[headerFields.Count - 1];
        for (var c = 1; c < headerFields.Count; c++)
        {
            if (!long.TryParse(headerFields[c], NumberStyles.Integer, CultureInfo.InvariantCulture, out indices[c - 1]))
                throw new InvalidDataException($"{path}, line 1, column {c + 1}: '{headerFields[c]}' is not a text index (an integer).");
        }

        var names = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<double>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            cancellationToken.ThrowIfCancellationRequested();
            if (line.Length == 0)
                continue;
            var fields = CsvFields.Split(line, path, lineNumber);
            var name = fields[0];
            if (fields.Count != indices.Length + 1)
                throw new InvalidDataException($"{path}, line {lineNumber} (model '{name}'): {fields.Count - 1} values, the header names {indices.Length} texts.");
            if (string.IsNullOrWhiteSpace(name))
                throw new InvalidDataException($"{path}, line {lineNumber}: the model name is empty.");
            if (!seen.TryAdd(name, lineNumber))
                throw new InvalidDataException($"{path}, line {lineNumber}: model '{name}' appears twice (first on line {seen[name]}).");
            for (var c = 1; c < fields.Count; c++)
            {
                if (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                {
                    throw new InvalidDataException(
                        $"{path}, line {lineNumber} (model '{name}'), text index {indices[c - 1]}: '{fields[c]}' is not a finite number.");
                }
                values.Add(value);
            }
            names.Add(name);
        }
        return MatrixFiles.Build(path, names, indices, [.. values]);
    }
}

/// <summary>Splits one CSV line (RFC 4180 quoting, no line breaks inside fields) and quotes fields for writing.</summary>
internal static class CsvFields
{
    public static List<string> Split(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new InvalidDataException($"{path}, line {lineNumber}: a quoted field is not closed.");
                    if (line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                    }
                    else if (line[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        field.Append(line[i++]);
                    }
                }
                if (i < line.Length && line[i] != ',')
                    throw new InvalidDataException($"{path}, line {lineNumber}: text after a closing quote.");
            }
            else
            {
                var end = line.IndexOf(',', i);
                if (end < 0)
                    end = line.Length;
                field.Append(line, i, end - i);
                i = end;
            }
            fields.Add(field.ToString());
            if (i >= line.Length)
                return fields;
            i++; // the comma
        }
    }

    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
