using System.Text;
using LogLikeMap.Core.Map;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Formats;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogLikeMap.Web.Api;

/// <summary>
/// Downloads of what the map holds, through Core's writers (the same files <c>loglikemap export</c> writes):
/// the matrix L, the centred Q, the layout, every model's neighbours. <c>?format=csv</c> (default) or <c>json</c>.
/// </summary>
public static class ExportsApi
{
    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/export/{what}", Export).WithTags("Exports")
            .WithSummary("Exports matrix | q | layout | neighbours as csv or json (neighbours: k per model, default 10).");
        return app;
    }

    public static Results<PushStreamHttpResult, ProblemHttpResult> Export(
        string what, string? format, int? k, ModelMapService map, ModelCatalog models, HttpResponse response)
    {
        var json = (format ?? "csv").ToLowerInvariant() switch
        {
            "csv" => false,
            "json" => true,
            _ => (bool?)null,
        };
        if (json is null)
            return Refused($"format must be csv or json; got '{format}'.");
        var state = map.State;
        if (what == "neighbours" && !state.NeighboursReady)
            return ModelsApi.NeighboursBeingPrepared(response);
        var name = $"{what}.{(json.Value ? "json" : "csv")}";
        var contentType = json.Value ? "application/json" : "text/csv";
        Func<Stream, Task>? write = what switch
        {
            "matrix" => async stream =>
            {
                var stored = await models.ReadMatrixAsync(state.Texts.TextSetId, CancellationToken.None);
                await WriteTableAsync(stream, json.Value, stored.Matrix.ModelNames, stored.TextIndices, stored.Matrix.Values.ToArray());
            },
            "q" => stream => WriteTableAsync(stream, json.Value, [.. state.Snapshot.Models.Select(m => m.Name)], state.Texts.Indices, QOf(state)),
            "layout" => stream =>
            {
                var points = state.Snapshot.Models.Select(m => new LayoutPoint(m.Name, m.X, m.Y, m.Provisional));
                return json.Value
                    ? Exports.WriteLayoutJsonAsync(stream, points, CancellationToken.None)
                    : WithWriter(stream, writer => Exports.WriteLayoutCsvAsync(writer, points, CancellationToken.None));
            },
            "neighbours" => stream =>
            {
                var count = Math.Clamp(k ?? ModelsApi.DefaultNeighbourCount, 1, Math.Max(1, state.Snapshot.Models.Count - 1));
                var rows = state.Snapshot.Models.Select(m => new ModelNeighbours(m.Name, NeighboursOf(state, m.Name, count)));
                return json.Value
                    ? Exports.WriteNeighboursJsonAsync(stream, rows, CancellationToken.None)
                    : WithWriter(stream, writer => Exports.WriteNeighboursCsvAsync(writer, rows, CancellationToken.None));
            },
            _ => null,
        };
        return write is null
            ? Refused($"'{what}' cannot be exported; choose matrix, q, layout or neighbours.")
            : TypedResults.Stream(write, contentType, name);
    }

    /// <summary>The state was checked to be ready above, and a state never loses its index.</summary>
    private static IReadOnlyList<Neighbour> NeighboursOf(MapState state, string model, int k) =>
        state.TryGetNeighbours(model, k, out var neighbours)
            ? neighbours
            : throw new InvalidOperationException("The neighbour index of this map is not ready.");

    private static double[] QOf(MapState state)
    {
        var n = state.Texts.Indices.Count;
        var values = new double[(long)state.Snapshot.Models.Count * n];
        for (var i = 0; i < state.Snapshot.Models.Count; i++)
            state.Q(i).CopyTo(values.AsSpan(i * n, n));
        return values;
    }

    private static Task WriteTableAsync(Stream stream, bool json, IReadOnlyList<string> models, IReadOnlyList<long> indices, double[] values) =>
        json
            ? Exports.WriteTableJsonAsync(stream, models, indices, values, CancellationToken.None)
            : WithWriter(stream, writer => Exports.WriteTableCsvAsync(writer, models, indices, values, CancellationToken.None));

    private static async Task WithWriter(Stream stream, Func<TextWriter, Task> write)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        await write(writer);
    }

    private static ProblemHttpResult Refused(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Export refused");
}
