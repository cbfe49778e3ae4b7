using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;
using LogLikeMap.Core.Formats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LogLikeMap.Web.Api;

/// <summary>
/// Read-only map endpoints, open to everyone. Hugging Face names hold a '/': clients escape it as %2F
/// (e.g. <c>/api/models/EleutherAI%2Fpythia-160m</c>); routing keeps %2F escaped, so it is unescaped here.
/// </summary>
public static class ModelsApi
{
    public const int DefaultNeighbourCount = 10;

    /// <summary>The Retry-After of a neighbour query that comes before the index is ready.</summary>
    public const int RetryNeighboursAfterSeconds = 2;

    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api").WithTags("Map");
        api.MapGet("/models", ListModels).WithSummary("All models on the map with their cards and 2-D positions.");
        api.MapGet("/models/{name}", GetModel).WithSummary("One model's card and position.");
        api.MapGet("/models/{name}/neighbours", GetNeighbours)
            .WithSummary("The k nearest models by KL in the full N-dimensional space (k defaults to 10), each with its 95% bootstrap interval over the texts (klInterval), and the nearest lineage (family) with the KL margin to the next (nearestLineage); 503 with Retry-After while the index is prepared after a restart.");
        api.MapGet("/layout", GetLayout).WithSummary("The current 2-D layout: version and coordinates.");
        return app;
    }

    /// <summary>
    /// The model name in a route value. ASP.NET Core has already decoded the path once, except %2F, which it keeps
    /// so that an escaped '/' does not split the route: only that is turned back. Unescaping the rest again would
    /// turn a name holding "%41" into "A".
    /// </summary>
    internal static string ModelNameOf(string routeValue) => routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    public static Ok<IReadOnlyList<ModelPoint>> ListModels(IModelMapService map) => TypedResults.Ok(map.Current.Models);

    public static Results<Ok<ModelPoint>, ProblemHttpResult> GetModel(string name, IModelMapService map)
    {
        var modelName = ModelNameOf(name);
        var model = map.Current.Models.FirstOrDefault(m => m.Name == modelName);
        return model is null ? UnknownModel(modelName) : TypedResults.Ok(model);
    }

    public static Results<Ok<NeighboursResponse>, ProblemHttpResult> GetNeighbours(
        string name, IModelMapService map, int? k, HttpResponse response, [FromServices] KlIntervals intervals)
    {
        var modelName = ModelNameOf(name);
        var snapshot = map.Current;
        if (!snapshot.Models.Any(m => m.Name == modelName))
            return UnknownModel(modelName);
        var count = k ?? DefaultNeighbourCount;
        if (count < 1 || count >= snapshot.Models.Count)
        {
            return TypedResults.Problem(
                $"k must be between 1 and {snapshot.Models.Count - 1} (the number of other models on the map); got {count}.",
                statusCode: StatusCodes.Status400BadRequest, title: "k out of range");
        }
        if (!map.TryGetNeighbours(modelName, count, out var neighbours))
            return NeighboursBeingPrepared(response);
        return TypedResults.Ok(new NeighboursResponse(
            modelName, snapshot.TextCount, snapshot.MeanTextBytes, intervals.WithIntervals(modelName, neighbours), Lineages.Nearest(map, modelName)));
    }

    /// <summary>
    /// 503 with Retry-After while the neighbour index is built after a restart (seconds; the map itself answers
    /// already). Clients retry; the page shows the panel's "being prepared" note instead.
    /// </summary>
    internal static ProblemHttpResult NeighboursBeingPrepared(HttpResponse response)
    {
        response.Headers.RetryAfter = RetryNeighboursAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            $"The map has just started and its neighbour index (the Gram matrix of the layout) is being prepared; retry in {RetryNeighboursAfterSeconds} s.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Neighbours are being prepared");
    }

    public static Ok<LayoutResponse> GetLayout(IModelMapService map)
    {
        var snapshot = map.Current;
        return TypedResults.Ok(new LayoutResponse(snapshot.Version, snapshot.BuiltAt,
            [.. snapshot.Models.Select(m => new LayoutPoint(m.Name, m.X, m.Y, m.Provisional))]));
    }

    private static ProblemHttpResult UnknownModel(string name) => TypedResults.Problem(
        $"No model named '{name}' is on the map. GET /api/models lists the names; escape '/' in a name as %2F.",
        statusCode: StatusCodes.Status404NotFound, title: "Unknown model");
}

/// <param name="TextCount">N, the texts the KL estimates average over.</param>
/// <param name="NearestLineage">The family whose nearest member is closest, with the KL margin to the next family ("which base is this model from?").</param>
public sealed record NeighboursResponse(
    string Model, int TextCount, double MeanTextBytes, IReadOnlyList<Neighbour> Neighbours, LogLikeMap.Core.Map.LineageMatch? NearestLineage = null);

public sealed record LayoutResponse(int Version, DateTimeOffset BuiltAt, IReadOnlyList<LayoutPoint> Points);
