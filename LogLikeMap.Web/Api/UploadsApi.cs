using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Api;

/// <summary>
/// Uploads for administrators: a checkpoint zip, a server folder, or a results file. Every check runs before
/// anything is queued; a refusal is a 400 problem whose detail says what is wrong and what to do.
/// These are API calls (X-Api-Key or the sign-in cookie), so they take no anti-forgery token.
/// </summary>
public static class UploadsApi
{
    public static IEndpointRouteBuilder MapUploadsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var uploads = app.MapGroup("/api/uploads").WithTags("Uploads").RequireAuthorization(AdminPolicy.Name).DisableAntiforgery();
        uploads.MapPost("/checkpoint", CheckpointAsync).WithRequestBodyLimit(app)
            .WithSummary("A zip of a Hugging Face checkpoint folder (multipart field 'file'), with 'name' and 'family'.");
        uploads.MapPost("/results", ResultsAsync).WithRequestBodyLimit(app)
            .WithSummary("Paper-format results JSON Lines for the current text set (multipart field 'file'), with 'name' and 'family'.");
        uploads.MapPost("/folder", FolderAsync)
            .WithSummary("A checkpoint folder on the server, under the configured allowed root.");
        return app;
    }

    public static async Task<Results<Accepted<UploadResult>, ProblemHttpResult>> CheckpointAsync(
        IFormFile file, [FromForm] string name, [FromForm] string family, IUploadService uploads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(uploads);
        await using var stream = file.OpenReadStream();
        return Answer(await uploads.SubmitCheckpointZipAsync(stream, name, family, ct));
    }

    public static async Task<Results<Accepted<UploadResult>, ProblemHttpResult>> ResultsAsync(
        IFormFile file, [FromForm] string name, [FromForm] string family, IUploadService uploads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(uploads);
        await using var stream = file.OpenReadStream();
        return Answer(await uploads.SubmitResultsFileAsync(stream, name, family, ct));
    }

    public static async Task<Results<Accepted<UploadResult>, ProblemHttpResult>> FolderAsync(
        ServerFolderRequest request, IUploadService uploads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(uploads);
        return Answer(await uploads.SubmitServerFolderAsync(request.Folder, request.Name, request.Family, ct));
    }

    private static Results<Accepted<UploadResult>, ProblemHttpResult> Answer(UploadResult result) =>
        result switch
        {
            { Accepted: true } => TypedResults.Accepted($"/api/jobs/{result.JobId}", result),
            { ServerFull: true } => TypedResults.Problem(result.Error, statusCode: StatusCodes.Status507InsufficientStorage, title: "Server disk full"),
            _ => TypedResults.Problem(result.Error, statusCode: StatusCodes.Status400BadRequest, title: "Upload refused"),
        };

    /// <summary>
    /// Lets these endpoints take bodies up to the configured zip size instead of Kestrel's 30 MB default
    /// (routing applies <see cref="IRequestSizeLimitMetadata"/> before the form is read).
    /// </summary>
    private static RouteHandlerBuilder WithRequestBodyLimit(this RouteHandlerBuilder endpoint, IEndpointRouteBuilder app)
    {
        var limit = app.ServiceProvider.GetRequiredService<IOptions<UploadOptions>>().Value.MaxZipBytes + (1 << 20);
        return endpoint.WithMetadata(new UploadSizeLimit(limit));
    }

    private sealed record UploadSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}

/// <param name="Folder">The checkpoint folder, absolute or relative to Uploads:AllowedServerRoot.</param>
public sealed record ServerFolderRequest(string Folder, string Name, string Family);
