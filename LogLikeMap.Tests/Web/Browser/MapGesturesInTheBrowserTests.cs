using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>Issue 18 item 5's gestures in Chromium: a neighbour row points at its dot, Esc and an empty-map click deselect.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MapGesturesInTheBrowserTests(LiveAppFixture app)
{
    private const string Model = "aaditya/Llama3-OpenBioLLM-8B";

    [Fact]
    public async Task Hovering_a_neighbour_row_shows_that_points_card_on_the_map_and_Esc_deselects()
    {
        var page = await OpenSelectedAsync();

        var row = page.Locator("[data-testid=neighbour-row]").Nth(1);
        var neighbour = (await row.Locator("[data-testid=neighbour-link]").TextContentAsync())!;
        var card = page.Locator("#model-map .hoverlayer .hovertext");
        // The map hooks its gestures in after Plotly's first plot, a round trip later: hover until the card answers.
        for (var attempt = 0; attempt < 20 && await card.CountAsync() == 0; attempt++)
        {
            await page.Mouse.MoveAsync(0, 0);
            await row.HoverAsync();
            await page.WaitForTimeoutAsync(250);
        }
        await Assertions.Expect(card).ToContainTextAsync(neighbour.Length > 40 ? neighbour[..30] : neighbour);
        await LiveAppFixture.SaveScreenshotAsync(page, "neighbour-row-hover");

        await page.Keyboard.PressAsync("Escape");

        await Assertions.Expect(page.Locator("[data-testid=neighbour-panel]")).ToHaveCountAsync(0);
        Assert.DoesNotContain("model=", page.Url, StringComparison.Ordinal);
        Assert.Contains("k=5", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_click_on_the_map_away_from_every_point_deselects()
    {
        var page = await OpenSelectedAsync();
        var plotArea = (await page.Locator("#model-map .nsewdrag").First.BoundingBoxAsync())!;

        // The top left corner of the plot area: autorange pads the points away from the edges.
        var panel = page.Locator("[data-testid=neighbour-panel]");
        for (var attempt = 0; attempt < 20 && await panel.CountAsync() > 0; attempt++)
        {
            await page.Mouse.ClickAsync(plotArea.X + 4, plotArea.Y + 4);
            await page.WaitForTimeoutAsync(250);
        }

        await Assertions.Expect(panel).ToHaveCountAsync(0);
        await LiveAppFixture.SaveScreenshotAsync(page, "deselected-by-empty-click");
    }

    private async Task<IPage> OpenSelectedAsync()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/?model=" + Uri.EscapeDataString(Model) + "&k=5");
        await page.Locator("#model-map .main-svg").First.WaitForAsync();
        await Assertions.Expect(page.Locator("[data-testid=neighbour-row]")).ToHaveCountAsync(5);
        return page;
    }
}
