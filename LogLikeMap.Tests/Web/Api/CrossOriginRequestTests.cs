using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// A page on another port of the same host (same site, so the browser sends the SameSite=Strict cookie) posting to the
/// app for a signed-in administrator: every change is refused, while the app's own pages and API keys still work.
/// </summary>
public sealed class CrossOriginRequestTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private const string OtherPort = "http://127.0.0.1:5399";
    private const string Model = "AIJUUD/juud-Mistral-7B";

    public static TheoryData<string, string> Changes => new()
    {
        { "POST", "/api/map/refresh" },
        { "POST", "/api/uploads/results" },
        { "POST", "/api/uploads/checkpoint" },
        { "POST", "/api/uploads/folder" },
        { "DELETE", "/api/models/AIJUUD%2Fjuud-Mistral-7B" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_change_with_the_admin_cookie_from_another_port_is_refused_and_changes_nothing(string method, string path)
    {
        var cookie = await AdminSignIn.SignInAsync(factory);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var jobsBefore = factory.Services.GetRequiredService<IJobMonitor>().Recent(int.MaxValue).Count;

        // What browsers send for a page on http://127.0.0.1:5399: an Origin of that port, and Sec-Fetch-Site same-site.
        using var byOrigin = await client.SendAsync(Request(method, path, cookie, ("Origin", OtherPort)));
        using var bySite = await client.SendAsync(Request(method, path, cookie, ("Sec-Fetch-Site", "same-site"), ("Origin", OtherPort)));
        using var bySiteAlone = await client.SendAsync(Request(method, path, cookie, ("Sec-Fetch-Site", "cross-site")));

        foreach (var response in new[] { byOrigin, bySite, bySiteAlone })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Cross-origin request refused", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
        }
        Assert.Equal(jobsBefore, factory.Services.GetRequiredService<IJobMonitor>().Recent(int.MaxValue).Count);
        var models = await client.GetFromJsonAsync<List<ModelPoint>>("/api/models");
        Assert.Contains(models!, m => m.Name == Model);
        Assert.DoesNotContain(models!, m => m.Name == "csrf/placed");
    }

    [Fact]
    public async Task The_same_changes_from_the_sites_own_pages_and_with_an_api_key_from_anywhere_still_work()
    {
        var cookie = await AdminSignIn.SignInAsync(factory);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        using var sameOrigin = await client.SendAsync(Request("POST", "/api/map/refresh", cookie, ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin")));
        using var noBrowser = await client.SendAsync(Request("POST", "/api/map/refresh", cookie));
        using var keyed = Request("POST", "/api/map/refresh", cookie: null, ("Origin", OtherPort), ("Sec-Fetch-Site", "cross-site"));
        keyed.Headers.Add("X-Api-Key", WebAppFactory.ApiKey);
        using var withKey = await client.SendAsync(keyed);

        Assert.Equal(HttpStatusCode.Accepted, sameOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, noBrowser.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, withKey.StatusCode);
    }

    [Fact]
    public async Task A_blazor_circuit_opened_from_another_port_with_the_admin_cookie_is_refused()
    {
        var cookie = await AdminSignIn.SignInAsync(factory);
        // The circuit clicks the pages' buttons (delete, refresh): a WebSocket of another origin must not get one.
        var sockets = factory.Server.CreateWebSocketClient();
        sockets.ConfigureRequest = request =>
        {
            request.Headers.Cookie = cookie;
            request.Headers.Origin = OtherPort;
        };

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(
            () => sockets.ConnectAsync(new Uri("ws://localhost/_blazor"), CancellationToken.None));

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sites_own_pages_still_open_their_circuit_as_a_browser_does()
    {
        var cookie = await AdminSignIn.SignInAsync(factory);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        // blazor.web.js first negotiates (a POST), then opens the WebSocket; Chromium sends both headers on both.
        using var negotiate = await client.SendAsync(Request("POST", "/_blazor/negotiate?negotiateVersion=1", cookie,
            ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin")));
        var sockets = factory.Server.CreateWebSocketClient();
        sockets.ConfigureRequest = request =>
        {
            request.Headers.Cookie = cookie;
            request.Headers.Origin = "http://localhost";
            request.Headers["Sec-Fetch-Site"] = "same-origin";
        };

        using var socket = await sockets.ConnectAsync(new Uri("ws://localhost/_blazor"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static HttpRequestMessage Request(string method, string path, string? cookie, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = BodyFor(path) };
        if (cookie is not null)
            request.Headers.Add("Cookie", cookie);
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        return request;
    }

    /// <summary>A body each endpoint would accept: the results upload is a whole valid file of the demo model's scores.</summary>
    private static HttpContent? BodyFor(string path)
    {
        if (path.EndsWith("/folder", StringComparison.Ordinal))
            return JsonContent.Create(new { folder = "gpt2-tiny", name = "csrf/placed", family = "gpt2" });
        if (!path.StartsWith("/api/uploads/", StringComparison.Ordinal))
            return null;
        var results = File.ReadAllText(Path.Combine(WebAppFactory.DemoMapFolder, "results", Model.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"));
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(results));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "results.jsonl");
        form.Add(new StringContent("csrf/placed"), "name");
        form.Add(new StringContent("mistral"), "family");
        return form;
    }
}
