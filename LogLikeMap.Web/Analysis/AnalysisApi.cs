using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogLikeMap.Web.Analysis;

/// <summary>What the coordinates tell beyond the map (docs/method.md §3, §5), open to everyone.</summary>
public static class AnalysisApi
{
    public static IEndpointRouteBuilder MapAnalysisApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/analysis").WithTags("Analysis");
        api.MapGet("/trajectories", GetTrajectories)
            .WithSummary("Models that are checkpoints of one run (metadata run and step, else names ending in -stepN, /checkpoint-N, ...), in step order, with the KL (nats per text) of each step, from the first and to the last checkpoint.");
        return app;
    }

    public static Ok<TrajectoriesResponse> GetTrajectories(ModelMapService map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var state = map.State;
        var models = state.Snapshot.Models;
        var trajectories = Trajectories.Build([.. models.Select(m => m.Name)], [.. models.Select(m => m.Checkpoint)], i => state.Q(i));
        return TypedResults.Ok(new TrajectoriesResponse(state.Snapshot.TextCount, state.Snapshot.MeanTextBytes, trajectories));
    }
}

/// <param name="MeanTextBytes">Divide a KL by this × ln 2 for bits per byte.</param>
public sealed record TrajectoriesResponse(int TextCount, double MeanTextBytes, IReadOnlyList<Trajectory> Trajectories);
