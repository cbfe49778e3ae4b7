using System.Globalization;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Analysis;
using LogLikeMap.Web.Api;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>The live app seeded from a generated <see cref="AnalysisMap"/>, whose scores, leak and run are known in closed form.</summary>
public sealed class AnalysisMapFixture : LiveAppFixture, IAsyncLifetime
{
    public AnalysisMapFixture()
        : this(AnalysisMap.Create())
    {
    }

    private AnalysisMapFixture(string folder)
        : base(folder) => Folder = folder;

    public string Folder { get; }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>Runs alone, after the other collections, like <see cref="BrowserCollection"/> (one live app at a time).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AnalysisInTheBrowserCollection : ICollectionFixture<AnalysisMapFixture>
{
    public const string Name = "Analysis in the browser";
}

/// <summary>What the coordinates tell, where a visitor looks: the side panel, marks on the map, and the analysis pages.</summary>
[Collection(AnalysisInTheBrowserCollection.Name)]
public sealed class AnalysisInTheBrowserTests(AnalysisMapFixture app)
{
    [Fact]
    public async Task A_model_without_scores_shows_predicted_scores_with_intervals_around_the_closed_form_and_its_KL_intervals()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/?model=" + Uri.EscapeDataString(AnalysisMap.Unscored));

        var predicted = page.Locator("[data-testid=predicted-score]");
        await Assertions.Expect(predicted).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        var intervals = await page.Locator("[data-testid=score-interval]").AllTextContentsAsync();
        AssertContains(AnalysisMap.Accuracy(AnalysisMap.UnscoredAbility), intervals[0]);
        AssertContains(AnalysisMap.Cloze(AnalysisMap.UnscoredAbility), intervals[1]);
        await Assertions.Expect(page.Locator("[data-testid=leakage-ok]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=kl-interval]")).ToHaveCountAsync(10);
    }

    [Fact]
    public async Task The_model_that_saw_the_texts_is_flagged_in_its_panel_marked_on_the_map_and_listed()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/?model=" + Uri.EscapeDataString(AnalysisMap.Leaky));

        await Assertions.Expect(page.Locator("[data-testid=leakage-flag]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=own-score]")).ToHaveCountAsync(2);
        var expected = (await LayoutAsync())[AnalysisMap.Leaky];
        Assert.Equal([expected], await WaitForTraceAsync(page, "leakage flags"));

        await LiveAppFixture.GotoInteractiveAsync(page, "/leakage");
        var flagged = page.Locator("[data-testid=leakage-flagged-row]");
        await Assertions.Expect(flagged).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Assertions.Expect(flagged).ToContainTextAsync(AnalysisMap.Leaky);
        await Assertions.Expect(page.Locator("[data-testid=leakage-row]")).ToHaveCountAsync(AnalysisMap.Models.Count - 1);
    }

    [Fact]
    public async Task A_checkpoint_shows_its_run_and_the_map_draws_the_run_through_its_checkpoints_in_step_order()
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, "/?model=" + Uri.EscapeDataString(AnalysisMap.Run + "-step200"));

        var trajectory = page.Locator("[data-testid=trajectory]");
        await Assertions.Expect(trajectory).ToContainTextAsync($"Training run {AnalysisMap.Run}", new() { Timeout = 60_000 });
        await Assertions.Expect(trajectory).ToContainTextAsync("step 200 (2 of 4)");
        Assert.Empty(await TraceAsync(page, "run " + AnalysisMap.Run));

        await page.Locator("[data-testid=show-runs]").ClickAsync();

        var layout = await LayoutAsync();
        var expected = AnalysisMap.RunSteps.Select(s => layout[$"{AnalysisMap.Run}-step{s}"]).ToList();
        Assert.Equal(expected, await WaitForTraceAsync(page, "run " + AnalysisMap.Run));
    }

    [Theory]
    [InlineData("/predictions", "predicted-vs-true-0", "predictions")]
    [InlineData("/predictions", "predicted-vs-true-1", "predictions")]
    [InlineData("/trajectories", "trajectory-0", "trajectories")]
    [InlineData("/resampling", "resampling-kl", "resampling")]
    [InlineData("/resampling", "resampling-overlap", "resampling")]
    public async Task Each_analysis_page_draws_its_plot_with_PNG_and_CSV_exports(string path, string chart, string csv)
    {
        var page = await app.NewPageAsync();
        await LiveAppFixture.GotoInteractiveAsync(page, path);

        await page.Locator($"#{chart} .main-svg").First.WaitForAsync(new() { Timeout = 60_000 });
        var points = await page.EvaluateAsync<int>(
            "id => document.getElementById(id)._fullData.filter(t => t.mode.includes('markers')).reduce((n, t) => n + t.x.length, 0)", chart);
        Assert.True(points > 0, $"{chart} drew no points.");
        var card = page.Locator("[data-testid=analysis-chart]", new() { Has = page.Locator($"#{chart}") });
        Assert.Equal($"/api/analysis/{csv}.csv", await card.Locator("[data-testid=download-csv]").GetAttributeAsync("href"));

        var download = await page.RunAndWaitForDownloadAsync(() => card.Locator("[data-testid=download-png]").ClickAsync());
        Assert.Equal(chart + ".png", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), $"{chart}-{Guid.NewGuid():N}.png");
        await download.SaveAsAsync(saved);
        var bytes = await File.ReadAllBytesAsync(saved);
        File.Delete(saved);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes.Take(4));
    }

    private static void AssertContains(double truth, string interval)
    {
        var bounds = interval.Trim('[', ']', ' ').Split(',').Select(b => double.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(bounds[0] <= truth && truth <= bounds[1], $"The closed-form score {truth} should lie in the shown interval {interval}.");
    }

    /// <summary>The points of the map's trace named <paramref name="name"/>, as Plotly holds them (none when absent).</summary>
    private static async Task<List<(double X, double Y)>> TraceAsync(IPage page, string name)
    {
        await page.Locator("#model-map .main-svg").First.WaitForAsync();
        var points = await page.EvaluateAsync<double[][]>(
            "name => document.getElementById('model-map')._fullData.filter(t => t.name === name).flatMap(t => t.x.map((x, i) => [x, t.y[i]]))", name);
        return [.. points.Select(p => (p[0], p[1]))];
    }

    /// <summary>The trace's points once the chart shows it: the map redraws a render after the findings arrive.</summary>
    private static async Task<List<(double X, double Y)>> WaitForTraceAsync(IPage page, string name)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var points = await TraceAsync(page, name);
            if (points.Count > 0)
                return points;
            await page.WaitForTimeoutAsync(250);
        }
        return [];
    }

    private async Task<Dictionary<string, (double X, double Y)>> LayoutAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var layout = await client.GetFromJsonAsync<LayoutResponse>("/api/layout");
        return layout!.Points.ToDictionary(p => p.Model, p => (p.X, p.Y));
    }
}
