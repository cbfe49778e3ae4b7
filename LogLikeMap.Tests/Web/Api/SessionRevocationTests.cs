using System.Net;
using System.Security.Claims;
using LogLikeMap.Web.Security;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>A sign-in cookie copied before sign-out, or before the password changed, is replayed against the app.</summary>
public sealed class SessionRevocationTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task A_cookie_saved_before_sign_out_no_longer_queues_a_refresh()
    {
        var saved = await AdminSignIn.SignInAsync(factory);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var before = await client.SendAsync(Refresh(saved));
        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);

        using var signedOut = await AdminSignIn.SignOutAsync(factory, saved);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        using var replayed = await client.SendAsync(Refresh(saved));

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        // Another sign-in is a new session, unaffected by the first one's end.
        using var again = await client.SendAsync(Refresh(await AdminSignIn.SignInAsync(factory)));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
    }

    [Fact]
    public async Task A_cookie_outlives_a_restart_but_not_a_changed_password()
    {
        var folder = Directory.CreateTempSubdirectory("loglikemap-sessions-").FullName;
        try
        {
            string saved;
            using (var first = WebAppFactory.Over(folder))
                saved = await AdminSignIn.SignInAsync(first);

            using (var restarted = WebAppFactory.Over(folder))
            using (var client = restarted.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }))
            using (var kept = await client.SendAsync(Refresh(saved)))
                Assert.Equal(HttpStatusCode.Accepted, kept.StatusCode);

            // The administrator sets a new password hash in the configuration and restarts.
            using var changed = WebAppFactory.Over(folder);
            using var withNewPassword = changed.WithWebHostBuilder(b => b.UseSetting("Security:AdminPasswordHash", PasswordHash.Create("a new password", 1000)));
            using var replay = withNewPassword.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            using var refused = await replay.SendAsync(Refresh(saved));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_page_left_open_with_a_signed_out_cookie_loses_its_administrator_at_the_next_check()
    {
        var saved = await AdminSignIn.SignInAsync(factory);
        var user = PrincipalOf(saved);
        using var scope = factory.Services.CreateScope();
        // The provider every circuit (open page) gets; it re-checks the session every CircuitSessionCheck.Every.
        var circuits = Assert.IsType<CircuitSessionCheck>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
        Assert.True(circuits.IsStillSignedIn(user));
        Assert.True(circuits.IsStillSignedIn(new ClaimsPrincipal(new ClaimsIdentity())));

        using var signedOut = await AdminSignIn.SignOutAsync(factory, saved);

        Assert.False(circuits.IsStillSignedIn(user));
    }

    /// <summary>The principal the app reads from a sign-in cookie, unsealed with the app's own keys.</summary>
    private ClaimsPrincipal PrincipalOf(string cookie)
    {
        var options = factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        return options.TicketDataFormat.Unprotect(cookie.Split('=', 2)[1])?.Principal
            ?? throw new InvalidOperationException("The cookie does not unseal with the app's keys.");
    }

    private static HttpRequestMessage Refresh(string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/map/refresh");
        request.Headers.Add("Cookie", cookie);
        return request;
    }
}
