using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

/// <summary>
/// An open page (a Blazor circuit) keeps the user it was opened with and sends no more requests, so the cookie check of
/// <see cref="AdminSessions"/> never sees it again. This checks the circuit's session every <see cref="Every"/>: one
/// signed out elsewhere, or under a changed password, loses its administrator's buttons on that page too.
/// </summary>
internal sealed class CircuitSessionCheck(ILoggerFactory loggers, AdminSessions sessions, IOptionsMonitor<SecurityOptions> security)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    internal static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    protected override TimeSpan RevalidationInterval => Every;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        return Task.FromResult(IsStillSignedIn(authenticationState.User));
    }

    /// <summary>Visitors stay visitors; a signed-in administrator only while the cookie's session lives.</summary>
    internal bool IsStillSignedIn(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated != true || sessions.IsValid(user, security.CurrentValue, renewing: false);
}
