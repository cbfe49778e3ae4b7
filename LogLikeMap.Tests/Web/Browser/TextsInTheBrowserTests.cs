using System.Globalization;
using System.Text.Json;
using LogLikeMap.Tests.Web.Api;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>What a visitor sees on the texts page, in Chromium against the running app.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TextsInTheBrowserTests(LiveAppFixture app)
{
    /// <summary>The test map's texts as its texts.jsonl gives them: index and domain (pile_set_name).</summary>
    private static readonly Dictionary<long, string> DomainOf = File
        .ReadLines(Path.Combine(WebAppFactory.DemoMapFolder, "texts.jsonl"))
        .Select(l => JsonDocument.Parse(l).RootElement)
        .ToDictionary(t => t.GetProperty("index").GetInt64(), t => t.GetProperty("pile_set_name").GetString()!);

    [Fact]
    public async Task The_table_lists_texts_highest_variance_first_and_a_domain_chip_shows_only_that_domain()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/texts");

        // Other browser tests may place a model on the shared app, which changes the variances but not this order's rule.
        var rows = page.Locator("[data-testid=texts-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        await Assertions.Expect(page.Locator("[data-testid=domain-chip]").First).ToHaveTextAsync($"All domains ({DomainOf.Count})");
        var shown = await ShownRowsAsync(page);
        Assert.Equal(50, shown.Select(r => r.Index).Distinct().Count());
        Assert.All(shown, r => Assert.Equal(DomainOf[r.Index], r.Domain));
        AssertHighestVarianceFirst(shown);

        // The smallest domain fits on one page: all of its texts and nothing else, still highest variance first.
        var novel = DomainOf.Where(t => t.Value == "Novel").Select(t => t.Key).ToHashSet();
        await page.Locator("[data-testid=domain-chip]", new() { HasText = $"Novel ({novel.Count})" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=text-domain]")).ToHaveTextAsync([.. Enumerable.Repeat("Novel", novel.Count)]);
        var filtered = await ShownRowsAsync(page);
        Assert.Equal(novel, filtered.Select(r => r.Index).ToHashSet());
        AssertHighestVarianceFirst(filtered);
    }

    /// <summary>
    /// The shown rows, read in one go: a model placed by another test changes the variances, and the table redrawn
    /// between separate reads of its columns would mix two versions of it.
    /// </summary>
    private static async Task<List<(long Index, string Domain, double Variance)>> ShownRowsAsync(IPage page)
    {
        var rows = await page.Locator("[data-testid=texts-table] tbody tr").EvaluateAllAsync<string[][]>(
            """
            rows => rows.map(row => ["text-index", "text-domain", "text-variance"]
                .map(id => row.querySelector(`[data-testid=${id}]`).textContent))
            """);
        return [.. rows.Select(cells => (
            long.Parse(cells[0].Trim(), CultureInfo.InvariantCulture),
            cells[1].Trim(),
            double.Parse(cells[2].Trim(), CultureInfo.InvariantCulture)))];
    }

    /// <summary>Each shown variance (four significant digits) is at most the one above it.</summary>
    private static void AssertHighestVarianceFirst(List<(long Index, string Domain, double Variance)> rows) =>
        Assert.All(rows.Zip(rows.Skip(1)), pair => Assert.True(pair.First.Variance >= pair.Second.Variance,
            $"Text {pair.Second.Index} ({pair.Second.Variance}) is listed below text {pair.First.Index} ({pair.First.Variance})."));
}
