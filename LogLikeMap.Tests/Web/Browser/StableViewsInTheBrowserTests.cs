using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>
/// A live app of its own for the tests that change the map for good (a full layout refresh recentres Q over whatever
/// models other browser tests left on it), so the closed-form neighbours <see cref="MapInTheBrowserTests"/> checks on
/// the shared app stay those of the demo map. Runs alone, like <see cref="BrowserCollection"/>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MapChangingBrowserCollection : ICollectionFixture<LiveAppFixture>
{
    public const string Name = "Browser, map changes";
}

/// <summary>What must not change under a researcher's feet: family colours when a family is added, links after a refresh.</summary>
[Collection(MapChangingBrowserCollection.Name)]
public sealed partial class StableViewsInTheBrowserTests(LiveAppFixture app)
{
    private const string DemoResults = "AIJUUD__juud-Mistral-7B.jsonl";

    [Fact]
    public async Task A_new_family_that_sorts_first_leaves_every_other_familys_colour_as_it_was()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/");
        var before = await ChipColoursAsync(page);

        // "aaa-..." sorts before every family: with colours handed out in name order it would have taken the first colour
        // and shifted all the others by one.
        const string model = "colour-test/new-family";
        using var client = app.CreateAdminClient();
        await ResultsUploads.PlaceAsync(client, model, "aaa-first-family", Path.Combine(WebAppFactory.DemoMapFolder, "results", DemoResults));
        try
        {
            await LiveAppFixture.GotoInteractiveAsync(page, "/");
            await Assertions.Expect(page.Locator("[data-testid=family-chip]", new() { HasText = "aaa-first-family" })).ToBeVisibleAsync();
            var after = await ChipColoursAsync(page);

            foreach (var (family, colour) in before)
                Assert.True(after[family] == colour, $"{family} was {colour} and is now {after[family]}.");
            Assert.DoesNotContain(after["aaa-first-family"], before.Values);
            await LiveAppFixture.SaveScreenshotAsync(page, "family-colours-after-new-family");
        }
        finally
        {
            (await client.DeleteAsync("/api/models/" + Uri.EscapeDataString(model))).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task A_link_made_before_a_layout_refresh_opens_the_same_model_k_and_colouring_after_it()
    {
        const string model = "aaditya/Llama3-OpenBioLLM-8B";
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/?k=4&colour=params");
        await page.Locator("#model-map .main-svg").First.WaitForAsync();
        await page.Locator("input[data-testid=search]").FillAsync("OpenBio");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = model }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=selected-name]")).ToHaveTextAsync(model);
        // Finding a model zooms around it: the link now holds a view box and the layout version it belongs to.
        await page.WaitForURLAsync(new Regex("x0=.*v=\\d+"));
        var link = page.Url;
        var version = int.Parse(VersionInLink().Match(link).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        using var client = app.CreateAdminClient();
        var refresh = await (await client.PostAsync("/api/map/refresh", null)).Content.ReadFromJsonAsync<JobStatus>();
        Assert.Equal(JobState.Succeeded, (await JobPolling.UntilFinishedAsync(client, refresh!.JobId, TimeSpan.FromMinutes(2))).State);

        var later = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(later, link);
        await Assertions.Expect(later.Locator("[data-testid=map-summary]")).ToContainTextAsync($"layout v{version + 1}");
        await Assertions.Expect(later.Locator("[data-testid=selected-name]")).ToHaveTextAsync(model);
        await Assertions.Expect(later.Locator("[data-testid=neighbour-row]")).ToHaveCountAsync(4);
        // The old view box is dropped (the whole map is shown), the rest of the link kept.
        var neighbourLink = await later.Locator("[data-testid=neighbour-link]").First.GetAttributeAsync("href");
        Assert.Contains("colour=params", neighbourLink, StringComparison.Ordinal);
        Assert.Contains("k=4", neighbourLink, StringComparison.Ordinal);
        Assert.DoesNotContain("x0=", neighbourLink, StringComparison.Ordinal);
        await later.Locator("#model-map .main-svg").First.WaitForAsync();
        await LiveAppFixture.SaveScreenshotAsync(later, "old-permalink-after-refresh");
    }

    /// <summary>Each family chip's background colour while the map is coloured by family.</summary>
    private static async Task<Dictionary<string, string>> ChipColoursAsync(IPage page)
    {
        var chips = page.Locator("[data-testid=family-chip]");
        await Assertions.Expect(chips.First).ToBeVisibleAsync();
        var colours = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chip in await chips.AllAsync())
        {
            var text = (await chip.TextContentAsync())!.Trim();
            var family = text[..text.LastIndexOf(" (", StringComparison.Ordinal)];
            colours[family] = await chip.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        }
        return colours;
    }

    [GeneratedRegex("[?&]v=(\\d+)")]
    private static partial Regex VersionInLink();
}
