using System.Globalization;
using LogLikeMap.Tests.Web.Api;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>What a visitor does on the map, in Chromium against the running app.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MapInTheBrowserTests(LiveAppFixture app)
{
    private static readonly DemoMapOracle Oracle = new();

    [Fact]
    public async Task A_model_found_by_search_shows_its_neighbours_with_the_engines_KL_and_a_neighbour_link_moves_there()
    {
        const string model = "aaditya/Llama3-OpenBioLLM-8B";
        var page = await app.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#model-map .main-svg").First.WaitForAsync();

        await page.Locator("input[data-testid=search]").FillAsync("OpenBio");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = model }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=selected-name]")).ToHaveTextAsync(model);

        // k = 10 by default; the names and KL values must be the closed form's, to the digits shown.
        var rows = page.Locator("[data-testid=neighbour-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        var expected = Oracle.Ranked(model).Take(10).ToList();
        var names = await page.Locator("[data-testid=neighbour-link]").AllTextContentsAsync();
        var kls = await page.Locator("[data-testid=kl-nats]").AllTextContentsAsync();
        Assert.Equal(expected.Select(e => e.Name), names);
        for (var i = 0; i < expected.Count; i++)
            AssertShownAs(expected[i].KlNats, kls[i]);

        var (neighbour, _) = expected[0];
        await page.Locator("[data-testid=neighbour-link]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=selected-name]")).ToHaveTextAsync(neighbour);
        Assert.Contains("model=" + Uri.EscapeDataString(neighbour), page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=neighbour-row]")).ToHaveCountAsync(10);
        AssertShownAs(Oracle.KlNats(neighbour, Oracle.Ranked(neighbour)[0].Name),
            await page.Locator("[data-testid=kl-nats]").First.TextContentAsync());

        await SaveScreenshotAsync(page);
    }

    /// <summary>The shown text is the exact value rounded to the decimals shown.</summary>
    private static void AssertShownAs(double exact, string? shown)
    {
        Assert.NotNull(shown);
        var value = double.Parse(shown, CultureInfo.InvariantCulture);
        var decimals = shown.Contains('.', StringComparison.Ordinal) ? shown.Length - shown.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
        Assert.True(Math.Abs(value - exact) <= 0.5 * Math.Pow(10, -decimals) * (1 + 1e-9),
            $"shown {shown}, closed form {exact.ToString("R", CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// The view of the README's picture on the test map: a model selected and its neighbours ringed. Written to the
    /// test output, or to LOGLIKEMAP_SCREENSHOT when set (README.md, "The map in the browser").
    /// </summary>
    private static async Task SaveScreenshotAsync(IPage page)
    {
        var target = Environment.GetEnvironmentVariable("LOGLIKEMAP_SCREENSHOT");
        var path = string.IsNullOrEmpty(target) ? Path.Combine(AppContext.BaseDirectory, "screenshot-map.png") : target;
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Assert.NotEmpty(bytes);
    }
}
