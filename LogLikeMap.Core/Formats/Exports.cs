using System.Globalization;
using System.Text.Json;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// Writes what a map holds as CSV or JSON, generic over plain arrays so any caller (CLI, web API) can stream them:
/// a model x text table (the matrix L or the centred Q), a layout, neighbour lists. Numbers are written in
/// invariant culture with round-trip precision; CSV fields are quoted as RFC 4180 says. The table's JSON form is the
/// one <see cref="MatrixJson"/> reads and its CSV form the one <see cref="MatrixCsv"/> reads.
/// </summary>
public static class Exports
{
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One CSV field as RFC 4180 writes it: quoted when it holds a comma, quote or line break, its quotes doubled.</summary>
    public static string CsvField(string value) => CsvFields.Quote(value);

    /// <summary>Header <c>model,&lt;text index&gt;,...</c>, then one row per model.</summary>
    public static async Task WriteTableCsvAsync(
        TextWriter writer, IReadOnlyList<string> models, IReadOnlyList<long> textIndices, ReadOnlyMemory<double> values, CancellationToken cancellationToken)
    {
        RequireTableShape(models, textIndices, values);
        await writer.WriteAsync("model");
        foreach (var index in textIndices)
            await writer.WriteAsync("," + index.ToString(CultureInfo.InvariantCulture));
        await writer.WriteAsync('\n');
        var n = textIndices.Count;
        for (var i = 0; i < models.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = new System.Text.StringBuilder(CsvFields.Quote(models[i]));
            foreach (var value in values.Span.Slice(i * n, n))
                line.Append(',').Append(Number(value));
            line.Append('\n');
            await writer.WriteAsync(line, cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary><c>{"models": [...], "text_indices": [...], "values": [[...], ...]}</c>.</summary>
    public static async Task WriteTableJsonAsync(
        Stream stream, IReadOnlyList<string> models, IReadOnlyList<long> textIndices, ReadOnlyMemory<double> values, CancellationToken cancellationToken)
    {
        RequireTableShape(models, textIndices, values);
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartArray("models");
        foreach (var model in models)
            json.WriteStringValue(model);
        json.WriteEndArray();
        json.WriteStartArray("text_indices");
        foreach (var index in textIndices)
            json.WriteNumberValue(index);
        json.WriteEndArray();
        json.WriteStartArray("values");
        var n = textIndices.Count;
        for (var i = 0; i < models.Count; i++)
        {
            json.WriteStartArray();
            foreach (var value in values.Span.Slice(i * n, n))
                json.WriteNumberValue(value);
            json.WriteEndArray();
            if (json.BytesPending > 1 << 16)
                await json.FlushAsync(cancellationToken);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>Header <c>model,x,y,provisional</c> (the first three as <c>loglikemap map</c>'s layout.csv).</summary>
    public static async Task WriteLayoutCsvAsync(TextWriter writer, IEnumerable<LayoutPoint> points, CancellationToken cancellationToken)
    {
        await writer.WriteAsync("model,x,y,provisional\n");
        foreach (var p in points)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteAsync($"{CsvFields.Quote(p.Model)},{Number(p.X)},{Number(p.Y)},{(p.Provisional ? "true" : "false")}\n");
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary><c>[{"model": ..., "x": ..., "y": ..., "provisional": ...}, ...]</c>.</summary>
    public static async Task WriteLayoutJsonAsync(Stream stream, IEnumerable<LayoutPoint> points, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        foreach (var p in points)
        {
            json.WriteStartObject();
            json.WriteString("model", p.Model);
            json.WriteNumber("x", p.X);
            json.WriteNumber("y", p.Y);
            json.WriteBoolean("provisional", p.Provisional);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Header <c>model,rank,neighbour,kl_nats,kl_bits_per_byte</c> (the first four as <c>loglikemap map</c>'s
    /// neighbours.csv); the last column is empty when the texts' byte length is unknown.
    /// </summary>
    public static async Task WriteNeighboursCsvAsync(TextWriter writer, IEnumerable<ModelNeighbours> lists, CancellationToken cancellationToken)
    {
        await writer.WriteAsync("model,rank,neighbour,kl_nats,kl_bits_per_byte\n");
        foreach (var (model, neighbours) in lists)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var n in neighbours)
            {
                var bits = n.KlBitsPerByte is { } b ? Number(b) : "";
                await writer.WriteAsync(
                    $"{CsvFields.Quote(model)},{n.Rank.ToString(CultureInfo.InvariantCulture)},{CsvFields.Quote(n.Name)},{Number(n.KlNats)},{bits}\n");
            }
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary><c>[{"model": ..., "rank": 1, "neighbour": ..., "kl_nats": ..., "kl_bits_per_byte": ... or null}, ...]</c>.</summary>
    public static async Task WriteNeighboursJsonAsync(Stream stream, IEnumerable<ModelNeighbours> lists, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        foreach (var (model, neighbours) in lists)
        {
            foreach (var n in neighbours)
            {
                json.WriteStartObject();
                json.WriteString("model", model);
                json.WriteNumber("rank", n.Rank);
                json.WriteString("neighbour", n.Name);
                json.WriteNumber("kl_nats", n.KlNats);
                if (n.KlBitsPerByte is { } bits)
                    json.WriteNumber("kl_bits_per_byte", bits);
                else
                    json.WriteNull("kl_bits_per_byte");
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
    }

    private static void RequireTableShape(IReadOnlyList<string> models, IReadOnlyList<long> textIndices, ReadOnlyMemory<double> values)
    {
        if ((long)models.Count * textIndices.Count != values.Length)
            throw new ArgumentException($"{models.Count} models x {textIndices.Count} texts needs {(long)models.Count * textIndices.Count} values, got {values.Length}.", nameof(values));
    }
}
