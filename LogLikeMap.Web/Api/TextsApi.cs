using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogLikeMap.Web.Api;

/// <summary>The map's text set, open to everyone: the texts that tell models apart most come first.</summary>
public static class TextsApi
{
    public const int DefaultTake = 100;
    public const int MaxTake = 1000;

    public static IEndpointRouteBuilder MapTextsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGroup("/api").WithTags("Texts").MapGet("/texts", ListTextsAsync)
            .WithSummary("The map's texts (index, domain, UTF-8 bytes, preview, variance across models of the text's column of Q), "
                + "highest variance first; ?domain= keeps one domain, ?skip=&take= pages (take defaults to 100, at most 1000).");
        return app;
    }

    public static async Task<Results<Ok<TextsResponse>, ProblemHttpResult>> ListTextsAsync(
        ITextSetService texts, string? domain, int? skip, int? take, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var table = await texts.CurrentAsync(ct);
        var (from, count) = (skip ?? 0, take ?? DefaultTake);
        if (from < 0)
            return BadRequest("skip out of range", $"skip must be 0 or more; got {from}.");
        if (count is < 1 or > MaxTake)
            return BadRequest("take out of range", $"take must be between 1 and {MaxTake}; got {count}. Page with skip for more.");
        if (domain is not null && !table.Domains.Any(d => d.Domain == domain))
        {
            return BadRequest("Unknown domain", $"No text of the map is in domain '{domain}'. The domains are: "
                + string.Join(", ", table.Domains.Where(d => d.Domain is not null).Select(d => $"'{d.Domain}'")) + ".");
        }

        var page = table.Query(new TextQuery(domain, TextOrder.Variance, Descending: true, from, count));
        return TypedResults.Ok(new TextsResponse(
            table.Name, table.ContentHash, table.TextCount, table.ModelCount, table.Domains, domain, page.Total, from, page.Rows));
    }

    private static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);
}

/// <param name="TextCount">N, all texts of the map, whatever the filter.</param>
/// <param name="ModelCount">K, the models each variance is taken over.</param>
/// <param name="Total">The texts that pass the domain filter; <paramref name="Texts"/> is the page of them from <paramref name="Skip"/>.</param>
public sealed record TextsResponse(
    string TextSet, string ContentHash, int TextCount, int ModelCount, IReadOnlyList<DomainCount> Domains,
    string? Domain, int Total, int Skip, IReadOnlyList<TextRow> Texts);
