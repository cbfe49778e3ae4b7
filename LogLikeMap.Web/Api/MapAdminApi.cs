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
        api.MapGet("/jobs/{id}", GetJobAsync)
            .WithSummary("A job's state; administrators also get its kind, model, progress and error.");
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

    /// <summary>
    /// Job ids count up, so anyone can walk them: everyone learns only a job's state, administrators everything the
    /// Jobs page shows them (errors can name what was uploaded).
    /// </summary>
    public static async Task<Results<Ok<JobStatus>, Ok<PublicJobState>, ProblemHttpResult>> GetJobAsync(string id, IJobMonitor jobs, HttpContext context)
    {
        if (jobs.Get(id) is not { } status)
            return TypedResults.Problem($"No job with id '{id}' is known.", statusCode: StatusCodes.Status404NotFound, title: "Unknown job");
        return await AdminPolicy.IsMetByAsync(context) ? TypedResults.Ok(status) : TypedResults.Ok(new PublicJobState(status.JobId, status.State));
    }
}

/// <summary>What anyone may know of a job: whether it is queued, running or finished, and how.</summary>
public sealed record PublicJobState(string JobId, JobState State);
