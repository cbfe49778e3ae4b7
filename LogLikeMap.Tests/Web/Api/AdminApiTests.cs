using System.Net;
using System.Net.Http.Json;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Tests.Web.Api;

public sealed class AdminApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Theory]
    [InlineData("POST", "/api/map/refresh")]
    [InlineData("DELETE", "/api/models/AIJUUD%2Fjuud-Mistral-7B")]
    [InlineData("POST", "/api/uploads/results")]
    [InlineData("POST", "/api/uploads/checkpoint")]
    [InlineData("POST", "/api/uploads/folder")]
    public async Task Admin_endpoints_answer_401_without_credentials_and_403_never_redirect(string method, string path)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");
        using var response = await client.PostAsync("/api/map/refresh", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_needs_an_administrator()
    {
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var admin = factory.CreateAdminClient();

        using var refused = await anonymous.GetAsync("/jobs/dashboard");
        using var shown = await admin.GetAsync("/jobs/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/login", refused.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("LogLikeMap jobs", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_with_the_configured_password_gives_a_cookie_that_passes_the_admin_policy()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var (cookie, token) = AntiforgeryTokens(factory.Services);

        using var wrong = await PostLoginAsync(client, cookie, token, "wrong password");
        using var right = await PostLoginAsync(client, cookie, token, WebAppFactory.AdminPassword);
        using var dashboard = await client.GetAsync("/jobs/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        Assert.StartsWith("/login?error=invalid", wrong.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/models", right.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public async Task Sign_in_without_the_antiforgery_token_is_refused()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = WebAppFactory.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Sign_out_without_the_antiforgery_token_is_refused()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Past_the_sign_in_limit_the_form_comes_back_saying_so_and_even_the_right_password_gives_no_cookie()
    {
        using var app = new WebAppFactory();
        using var limited = app.WithWebHostBuilder(b => b.UseSetting("Security:SignInAttemptsPerMinute", "3"));
        using var client = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var (cookie, token) = AntiforgeryTokens(limited.Services);

        var wrong = new List<HttpResponseMessage>();
        for (var attempt = 0; attempt < 3; attempt++)
            wrong.Add(await PostLoginAsync(client, cookie, token, "wrong password"));
        using var refused = await PostLoginAsync(client, cookie, token, WebAppFactory.AdminPassword);

        Assert.All(wrong, r => Assert.StartsWith("/login?error=invalid", r.Headers.Location?.OriginalString, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/login?error=too-many", refused.Headers.Location?.OriginalString);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        wrong.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Refresh_with_an_api_key_runs_a_job_that_stores_a_new_layout_version()
    {
        using var client = factory.CreateAdminClient();
        var before = (await client.GetFromJsonAsync<LayoutResponse>("/api/layout"))!.Version;

        using var response = await client.PostAsync("/api/map/refresh", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<JobStatus>();
        var finished = await JobPolling.UntilFinishedAsync(client, queued!.JobId);

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(before + 1, (await client.GetFromJsonAsync<LayoutResponse>("/api/layout"))!.Version);
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string cookie, string token, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = "admin", ["password"] = password, ["returnUrl"] = "/models", ["__RequestVerificationToken"] = token,
            }),
        };
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    /// <summary>The token pair a /login page of the app with these services would render: the cookie and the form field.</summary>
    private static (string Cookie, string FormToken) AntiforgeryTokens(IServiceProvider services)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        var tokens = services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var cookieName = services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name;
        return ($"{cookieName}={tokens.CookieToken}", tokens.RequestToken!);
    }
}
