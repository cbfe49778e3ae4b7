using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

public static class SecurityRegistration
{
    /// <summary>Cookie sign-in for people, X-Api-Key for scripts, and the "Admin" policy that accepts either.</summary>
    public static IHostApplicationBuilder AddAdminSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SecurityOptions>()
            .Bind(builder.Configuration.GetSection(SecurityOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, CircuitSessionCheck>();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.Cookie.Name = "loglikemap.auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.SlidingExpiration = true;
                options.ExpireTimeSpan = AdminSessions.Lifetime;
                // Every request's cookie must name a session not signed out, under the password it was issued for.
                options.Events.OnValidatePrincipal = AdminSessions.ValidatePrincipalAsync;
                // API clients get status codes; browsers on pages get the sign-in page.
                options.Events.OnRedirectToLogin = context => AnswerApiOrRedirect(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => AnswerApiOrRedirect(context, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, _ => { });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy.Name, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme, ApiKeyAuthentication.SchemeName)
                .RequireRole(AdminPolicy.Role));
        builder.Services.AddAntiforgery();
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(AccountApi.SignInLimit, SignInAttempts);
            options.OnRejected = (rejected, _) =>
            {
                rejected.HttpContext.RequestServices.GetRequiredService<ILogger<AdminSessions>>().LogWarning(
                    "Sign-in from {Address} refused unchecked: more than {Limit} attempts in a minute.",
                    rejected.HttpContext.Connection.RemoteIpAddress,
                    rejected.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue.SignInAttemptsPerMinute);
                rejected.HttpContext.Response.Redirect("/login?error=" + LoginErrors.TooManyAttempts);
                return ValueTask.CompletedTask;
            };
        });
        return builder;
    }

    /// <summary>Refuses changes and circuits sent from pages of other origins (<see cref="SameOriginChanges"/>); after authentication.</summary>
    public static IApplicationBuilder UseSameOriginChanges(this IApplicationBuilder app) => app.UseMiddleware<SameOriginChanges>();

    /// <summary>
    /// A fixed window of attempts per client address (Security:SignInAttemptsPerMinute). Past it the sign-in form is
    /// shown again saying so, without the password being checked.
    /// </summary>
    private static RateLimitPartition<string> SignInAttempts(HttpContext context) =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = context.RequestServices.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue.SignInAttemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    private static Task AnswerApiOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int statusCode)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
            context.Response.StatusCode = statusCode;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
