using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

/// <summary>
/// Sign-in and sign-out posted from the /login page's form; both need its anti-forgery token
/// (minimal APIs that bind forms validate it through UseAntiforgery).
/// </summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var account = app.MapGroup("/account").WithTags("Account").ExcludeFromDescription();
        account.MapPost("/login", LoginAsync);
        // Cast: a handler taking only HttpContext would otherwise bind as a RequestDelegate and drop its result.
        account.MapPost("/logout", (Delegate)LogoutAsync);
        return app;
    }

    public static async Task<RedirectHttpResult> LoginAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext context, IOptionsMonitor<SecurityOptions> security)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(security);
        var target = IsLocal(returnUrl) ? returnUrl! : "/";
        var options = security.CurrentValue;
        var valid = !string.IsNullOrEmpty(options.AdminPasswordHash)
            && string.Equals(username, options.AdminUser, StringComparison.Ordinal)
            && PasswordHash.Verify(password ?? "", options.AdminPasswordHash);
        if (!valid)
            return TypedResults.Redirect($"/login?error=invalid&returnUrl={Uri.EscapeDataString(target)}");

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, options.AdminUser), new Claim(ClaimTypes.Role, AdminPolicy.Role)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return TypedResults.Redirect(target);
    }

    public static async Task<RedirectHttpResult> LogoutAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.Redirect("/");
    }

    /// <summary>Only paths on this site: "/x" but not "//host" or "/\host", which browsers treat as other hosts.</summary>
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
