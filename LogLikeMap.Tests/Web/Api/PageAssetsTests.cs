using System.Net;
using System.Text.RegularExpressions;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// The scripts and styles the map page links to, served by the app as `dotnet run` starts it: outside Development
/// (the factory runs as "Testing"), where ASP.NET Core serves package assets only when the app asks for them. Without
/// blazor.web.js the page is drawn but never comes alive.
/// </summary>
public sealed partial class PageAssetsTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [GeneratedRegex(@"(?:src|href)=""(?<path>[^""]+\.(?:js|css))""")]
    private static partial Regex LinkedAsset();

    [Fact]
    public async Task Every_script_and_style_the_map_page_links_to_is_served()
    {
        using var client = factory.CreateClient();
        var page = await client.GetStringAsync("/");
        var assets = LinkedAsset().Matches(page).Select(m => m.Groups["path"].Value).Distinct().ToList();

        Assert.Contains(assets, a => a.StartsWith("_framework/blazor.web.", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var response = await client.GetAsync(asset.StartsWith('/') ? asset : "/" + asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset} answered {(int)response.StatusCode}.");
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }
    }
}
