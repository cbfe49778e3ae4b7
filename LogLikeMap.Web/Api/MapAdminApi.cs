using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogLikeMap.Web.Api;

/// <summary>Changes to the map and job status; changes need the Admin policy (signed-in administrator or X-Api-Key).</summary>
public static class MapAdminApi
{
    public static IEndpointRouteBuilder MapMapAdminApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api").WithTags("Administration");
        api.MapPost("/map/refresh", RefreshAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Queues a full re-centering and t-SNE layout; returns the job.");
        api.MapDelete("/models/{name}", DeleteAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Takes a model off the map and out of the store; others keep their places until the next refresh.");
        api.MapGet("/jobs/{id}", GetJob).WithSummary("A scoring or refresh job's state and progress.");
        return app;
    }

    public static async Task<Accepted<JobStatus>> RefreshAsync(IJobMonitor jobs)
    {
        var jobId = await jobs.EnqueueRefreshAsync();
        return TypedResults.Accepted($"/api/jobs/{jobId}", jobs.Get(jobId));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, IModelRemoval removal, CancellationToken ct)
    {
        var modelName = ModelsApi.ModelNameOf(name);
        return await removal.RemoveAsync(modelName, ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"No model named '{modelName}' is on the map; GET /api/models lists the names.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown model");
    }

    public static Results<Ok<JobStatus>, ProblemHttpResult> GetJob(string id, IJobMonitor jobs) =>
        jobs.Get(id) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.Problem($"No job with id '{id}' is known.", statusCode: StatusCodes.Status404NotFound, title: "Unknown job");
}
