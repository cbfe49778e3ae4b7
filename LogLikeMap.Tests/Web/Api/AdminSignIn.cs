using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>Signs in and out through the app's own forms, keeping the cookies by hand as an attacker who copied them would.</summary>
internal static partial class AdminSignIn
{
    public const string CookieName = "loglikemap.auth";

    /// <summary>A client of a derived app (WithWebHostBuilder) that sends the configured API key.</summary>
    public static HttpClient CreateAdminClient(this WebApplicationFactory<Program> app)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", WebAppFactory.ApiKey);
        return client;
    }

    /// <summary>Posts the sign-in form with the configured password; returns the "name=value" of the sign-in cookie it set.</summary>
    public static async Task<string> SignInAsync(WebApplicationFactory<Program> app)
    {
        using var response = await PostSignInAsync(app, "admin", WebAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return CookieSet(response, CookieName) ?? throw new InvalidOperationException("Signing in set no sign-in cookie.");
    }

    /// <summary>Posts the sign-in form with its anti-forgery token, as the login page would.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(WebApplicationFactory<Program> app, string username, string password)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var context = new DefaultHttpContext { RequestServices = app.Services };
        var tokens = app.Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var antiforgeryCookie = app.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = username, ["password"] = password, ["returnUrl"] = "/",
                ["__RequestVerificationToken"] = tokens.RequestToken!,
            }),
        };
        request.Headers.Add("Cookie", $"{antiforgeryCookie}={tokens.CookieToken}");
        return await client.SendAsync(request);
    }

    /// <summary>Presses "Sign out" as the browser holding <paramref name="cookie"/> would: the form's token from a page, then the post.</summary>
    public static async Task<HttpResponseMessage> SignOutAsync(WebApplicationFactory<Program> app, string cookie)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var page = new HttpRequestMessage(HttpMethod.Get, "/texts");
        page.Headers.Add("Cookie", cookie);
        using var shown = await client.SendAsync(page);
        var html = await shown.Content.ReadAsStringAsync();
        var token = FormToken().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page shows no sign-out form: the cookie signed no one in.");
        var antiforgery = shown.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["returnUrl"] = "/" }),
        };
        request.Headers.Add("Cookie", $"{cookie}; {antiforgery}");
        return await client.SendAsync(request);
    }

    /// <summary>"name=value" of the cookie named <paramref name="name"/> that the response sets, if any.</summary>
    public static string? CookieSet(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal) && v.Length > name.Length + 1)
            : null;

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
