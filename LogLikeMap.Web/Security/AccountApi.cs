using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

/// <summary>
/// Sign-in and sign-out posted from the site's forms; both need the form's anti-forgery token, and sign-in attempts
/// are limited per client address (<see cref="SecurityOptions.SignInAttemptsPerMinute"/>).
/// </summary>
public static class AccountApi
{
    /// <summary>The rate-limiting policy of the sign-in endpoint.</summary>
    public const string SignInLimit = "sign-in";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var account = app.MapGroup("/account").WithTags("Account").ExcludeFromDescription();
        // Minimal APIs that bind form fields validate the anti-forgery token through UseAntiforgery by themselves.
        account.MapPost("/login", LoginAsync).RequireRateLimiting(SignInLimit);
        // Sign-out binds no form field, so it asks for the check explicitly and reads its outcome: a foreign site
        // must not sign the administrator out. The cast keeps a handler taking only HttpContext from binding as a
        // RequestDelegate, which would drop its result.
        account.MapPost("/logout", (Delegate)LogoutAsync).WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }

    public static async Task<RedirectHttpResult> LoginAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext context, IOptionsMonitor<SecurityOptions> security, AdminSessions sessions, ILogger<AdminSessions> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(sessions);
        var target = IsLocal(returnUrl) ? returnUrl! : "/";
        var options = security.CurrentValue;
        var valid = !string.IsNullOrEmpty(options.AdminPasswordHash)
            && string.Equals(username, options.AdminUser, StringComparison.Ordinal)
            && PasswordHash.Verify(password ?? "", options.AdminPasswordHash);
        if (!valid)
        {
            // The name as typed, cut short and without line breaks, so a forged name cannot write lines of its own into the log.
            logger.LogWarning("Failed sign-in as {User} from {Address}.", LogSafe(username), context.Connection.RemoteIpAddress);
            return TypedResults.Redirect($"/login?error={LoginErrors.WrongCredentials}&returnUrl={Uri.EscapeDataString(target)}");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, options.AdminUser), new Claim(ClaimTypes.Role, AdminPolicy.Role), .. sessions.Start(options)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        logger.LogInformation("{User} signed in from {Address}.", options.AdminUser, context.Connection.RemoteIpAddress);
        return TypedResults.Redirect(target);
    }

    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> LogoutAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // UseAntiforgery only records the check's outcome; endpoints that bind form fields refuse by themselves.
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            return TypedResults.Problem("The sign-out form's anti-forgery token is missing or invalid; sign out from the site's own button.",
                statusCode: StatusCodes.Status400BadRequest, title: "Anti-forgery token required");
        }
        // The session is forgotten, not only the browser's cookie: a copy of the cookie kept elsewhere is dead too.
        context.RequestServices.GetRequiredService<AdminSessions>().End(context.User);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.Redirect("/");
    }

    internal static string LogSafe(string? text) =>
        text is null ? "(none)" : new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    /// <summary>Only paths on this site: "/x" but not "//host" or "/\host", which browsers treat as other hosts.</summary>
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}

/// <summary>Why the sign-in form is shown again (its <c>?error=</c>).</summary>
public static class LoginErrors
{
    public const string WrongCredentials = "invalid";

    public const string TooManyAttempts = "too-many";
}
