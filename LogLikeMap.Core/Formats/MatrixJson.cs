using System.Text.Json;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// LogLikeMap's JSON form of a model x text table (the matrix L, or Q):
/// <c>{"models": [names], "text_indices": [indices], "values": [[row of model 0], [row of model 1], ...]}</c>.
/// </summary>
public static class MatrixJson
{
    public static LoadedMatrix Read(string path, CancellationToken cancellationToken)
    {
        using var stream = File.OpenRead(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("text_indices", out var indices) || indices.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("values", out var rows) || rows.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: expected {{\"models\": [...], \"text_indices\": [...], \"values\": [[...], ...]}}.");

            var names = models.EnumerateArray().Select((m, i) => m.ValueKind == JsonValueKind.String
                ? m.GetString()!
                : throw new InvalidDataException($"{path}: models[{i}] is not a string.")).ToList();
            var textIndices = indices.EnumerateArray().Select((t, i) => t.TryGetInt64(out var index)
                ? index
                : throw new InvalidDataException($"{path}: text_indices[{i}] is not an integer.")).ToList();
            if (rows.GetArrayLength() != names.Count)
                throw new InvalidDataException($"{path}: {names.Count} models but {rows.GetArrayLength()} rows of values.");

            var values = new double[(long)names.Count * textIndices.Count];
            var r = 0;
            foreach (var row in rows.EnumerateArray())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != textIndices.Count)
                    throw new InvalidDataException($"{path}: the row of model '{names[r]}' does not hold {textIndices.Count} numbers.");
                var c = 0;
                foreach (var cell in row.EnumerateArray())
                {
                    if (cell.ValueKind != JsonValueKind.Number || !cell.TryGetDouble(out var value))
                        throw new InvalidDataException($"{path}: model '{names[r]}', text index {textIndices[c]}: '{cell}' is not a number.");
                    values[((long)r * textIndices.Count) + c++] = value;
                }
                r++;
            }
            return MatrixFiles.Build(path, names, textIndices, values);
        }
    }
}
