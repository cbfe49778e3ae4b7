using Microsoft.AspNetCore.Authentication;

namespace LogLikeMap.Web.Security;

/// <summary>
/// Refuses a change (POST, PUT, PATCH, DELETE) or a WebSocket (the Blazor circuit, which clicks buttons) that a browser
/// sent from another origin. The sign-in cookie is <c>SameSite=Strict</c>, which keeps other sites out but not another
/// port of this host or a sibling subdomain: those are the same site, so the browser sends the cookie along.
/// </summary>
/// <remarks>
/// The check follows the Fetch Metadata recommendation (web.dev "Protect your resources from web attacks with Fetch
/// Metadata") and Go's <c>http.CrossOriginProtection</c>: a browser's <c>Sec-Fetch-Site</c> must be <c>same-origin</c>
/// (or <c>none</c>, a request the user made by hand); browsers too old for that header send <c>Origin</c>, whose host
/// and port must be this request's. A request with neither header is no browser's (curl, scripts, the tests), so no
/// page could have forged it. Requests authenticated by <c>X-Api-Key</c> are not checked: a page cannot send that
/// header to another origin without a CORS preflight, which this app never grants.
/// </remarks>
public sealed class SameOriginChanges(RequestDelegate next, ILogger<SameOriginChanges> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsChange(context) && CrossOriginReason(context.Request) is { } reason
            && !(await context.AuthenticateAsync(ApiKeyAuthentication.SchemeName)).Succeeded)
        {
            logger.LogWarning("Refused {Method} {Path} from another origin: {Reason}.", context.Request.Method, context.Request.Path, reason);
            await Results.Problem(
                "This change was sent by a page of another origin (another port or host), so it was refused: a page there could be "
                + "acting for you without your knowledge. Use this site's own pages, or send X-Api-Key from a script.",
                statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static bool IsChange(HttpContext context) =>
        !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
          || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        || context.WebSockets.IsWebSocketRequest;

    /// <summary>Why the request looks sent from another origin; null when it came from this one or from no browser.</summary>
    internal static string? CrossOriginReason(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
            return site is "same-origin" or "none" ? null : $"Sec-Fetch-Site is '{site}'";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
            return null;
        // Only host and port are compared, as Go does: behind a proxy that ends TLS the request's own scheme is http.
        // "null" is the origin of sandboxed frames and of redirects across origins: never this site's own page.
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"Origin is '{origin}', this site is {request.Host}";
    }
}
