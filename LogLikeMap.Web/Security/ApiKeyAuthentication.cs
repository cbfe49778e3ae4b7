using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

/// <summary>Authenticates a request that carries a configured key in the <c>X-Api-Key</c> header as the administrator.</summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<SecurityOptions> security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || string.IsNullOrEmpty(values.ToString()))
            return Task.FromResult(AuthenticateResult.NoResult());
        if (!ApiKeyHash.Matches(values.ToString(), security.CurrentValue.ApiKeyHashes))
            return Task.FromResult(AuthenticateResult.Fail($"The {Header} header holds no configured key."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key"), new Claim(ClaimTypes.Role, AdminPolicy.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>
    /// Challenges only requests that tried a key: without one the cookie scheme answers (401 for /api,
    /// the sign-in page for pages), which a second 401 from here would overwrite.
    /// </summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Request.Headers.ContainsKey(Header) ? base.HandleChallengeAsync(properties) : Task.CompletedTask;

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Request.Headers.ContainsKey(Header) ? base.HandleForbiddenAsync(properties) : Task.CompletedTask;
}
