using System.Globalization;
using System.Text.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
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

    [Fact]
    public async Task A_click_on_a_point_selects_its_model_and_k_sets_how_many_neighbours_are_listed_in_nats_and_bits_per_byte()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/");
        await page.Locator("#model-map .main-svg").First.WaitForAsync();
        var (model, x, y) = await MostIsolatedPointAsync(page);

        // Plotly attaches its click handler after drawing the first plot, a round trip later: click until it answers.
        var selected = page.Locator("[data-testid=selected-name]");
        for (var attempt = 0; attempt < 20 && await selected.CountAsync() == 0; attempt++)
        {
            await page.Mouse.MoveAsync(x, y);
            await page.Mouse.ClickAsync(x, y);
            await page.WaitForTimeoutAsync(250);
        }
        await Assertions.Expect(selected).ToHaveTextAsync(model);

        var k = page.Locator("input[data-testid=k]");
        await k.FillAsync("3");
        await k.PressAsync("Tab");
        await Assertions.Expect(page.Locator("[data-testid=neighbour-row]")).ToHaveCountAsync(3);
        var expected = Oracle.Ranked(model).Take(3).ToList();
        Assert.Equal(expected.Select(e => e.Name), await page.Locator("[data-testid=neighbour-link]").AllTextContentsAsync());
        var nats = await page.Locator("[data-testid=kl-nats]").AllTextContentsAsync();
        var bitsPerByte = await page.Locator("[data-testid=kl-bpb]").AllTextContentsAsync();
        for (var i = 0; i < expected.Count; i++)
        {
            AssertShownAs(expected[i].KlNats, nats[i]);
            AssertShownAs(expected[i].KlNats / (Oracle.MeanTextBytes * Math.Log(2)), bitsPerByte[i]);
        }
        Assert.Contains("k=3", page.Url, StringComparison.Ordinal);
    }

    /// <summary>
    /// The model whose point lies farthest, on screen, from every other point (so a click there can only mean it),
    /// with its position in page pixels from Plotly's axes.
    /// </summary>
    private static async Task<(string Name, float X, float Y)> MostIsolatedPointAsync(IPage page)
    {
        var models = JsonSerializer.Deserialize<List<ModelPoint>>(
            await (await page.APIRequest.GetAsync("/api/models")).TextAsync(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var pixels = await page.EvaluateAsync<float[][]>(
            """
            points => {
                const plot = document.getElementById('model-map');
                const box = plot.getBoundingClientRect();
                const xaxis = plot._fullLayout.xaxis, yaxis = plot._fullLayout.yaxis;
                return points.map(([x, y]) => [box.left + xaxis._offset + xaxis.l2p(x), box.top + yaxis._offset + yaxis.l2p(y)]);
            }
            """,
            models.Select(m => new[] { m.X, m.Y }).ToArray());
        var isolated = Enumerable.Range(0, models.Count)
            .MaxBy(i => Enumerable.Range(0, models.Count).Where(j => j != i)
                .Min(j => Math.Pow(pixels[i][0] - pixels[j][0], 2) + Math.Pow(pixels[i][1] - pixels[j][1], 2)));
        return (models[isolated].Name, pixels[isolated][0], pixels[isolated][1]);
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
