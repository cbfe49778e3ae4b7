using LogLikeMap.Lab.Zoo;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>The live app on a fresh data folder seeded from the repository's built-in map, data/demo-map.</summary>
public sealed class BuiltInMapFixture() : LiveAppFixture(RepositoryDemoMap)
{
    /// <summary>data/demo-map of the checkout the tests were built from (found above the test binaries).</summary>
    public static string RepositoryDemoMap
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "LogLikeMap.sln")))
                    return Path.Combine(folder.FullName, "data", "demo-map");
            }
            throw new DirectoryNotFoundException($"No LogLikeMap.sln above {AppContext.BaseDirectory}, so no data/demo-map to start from.");
        }
    }
}

/// <summary>Runs alone, after the other collections, like <see cref="BrowserCollection"/> (one live app at a time).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BuiltInMapCollection : ICollectionFixture<BuiltInMapFixture>
{
    public const string Name = "Built-in map in the browser";
}

/// <summary>What a new user sees first: the built-in map, laid out on a fresh start, every model a point of its own.</summary>
[Collection(BuiltInMapCollection.Name)]
public sealed class BuiltInMapInTheBrowserTests(BuiltInMapFixture app)
{
    /// <summary>The map's marker diameter in pixels (MapFigure.PointSize): centres this far apart never hide each other.</summary>
    private const double MarkerPixels = 8;

    [Fact]
    public async Task Every_model_of_the_built_in_map_is_a_distinct_point_at_the_default_zoom()
    {
        var expected = File.ReadLines(Path.Combine(BuiltInMapFixture.RepositoryDemoMap, "models.jsonl")).Count(l => l.Trim().Length > 0);
        var page = await app.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#model-map .main-svg").First.WaitForAsync();

        // Every marker drawn, in page pixels from Plotly's own axes at the zoom the page opened with.
        var pixels = await page.EvaluateAsync<double[][]>(
            """
            () => {
                const plot = document.getElementById('model-map');
                const xaxis = plot._fullLayout.xaxis, yaxis = plot._fullLayout.yaxis;
                return plot._fullData.filter(t => t.visible === true && t.mode === 'markers')
                    .flatMap(t => t.x.map((x, i) => [xaxis._offset + xaxis.l2p(x), yaxis._offset + yaxis.l2p(t.y[i])]));
            }
            """);
        var distinct = Enumerable.Range(0, pixels.Length).Count(i => Enumerable.Range(0, pixels.Length).Where(j => j != i)
            .All(j => Math.Sqrt(Math.Pow(pixels[i][0] - pixels[j][0], 2) + Math.Pow(pixels[i][1] - pixels[j][1], 2)) >= MarkerPixels));

        Assert.Equal(expected, pixels.Length);
        Assert.Equal(expected, distinct);
    }

    [Fact]
    public async Task The_interpolation_page_draws_the_grids_36_models_and_the_APIs_R2()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/interpolation");
        var grid = page.Locator("[data-testid=interpolation-grid]");
        await grid.Locator(".main-svg").First.WaitForAsync();

        var fromApi = await page.EvaluateAsync<double>("() => fetch('/api/analysis/interpolation').then(r => r.json()).then(j => j.grids[0].rSquared)");
        var markers = await page.EvaluateAsync<int>(
            "() => document.getElementById('interpolation-0')._fullData.filter(t => t.mode === 'markers').reduce((n, t) => n + t.x.length, 0)");
        // One line per value of a and of b, each joining the grid's models of that value.
        var lines = await page.EvaluateAsync<int>("() => document.getElementById('interpolation-0')._fullData.filter(t => t.mode === 'lines').length");

        Assert.Equal(36, markers);
        Assert.Equal(2 * ZooRecipe.GridSteps.Count, lines);
        await Assertions.Expect(grid.Locator("[data-testid=grid-r2]"))
            .ToContainTextAsync("R² of the plane fit " + fromApi.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A fine-tune's side panel names its own base as the nearest lineage; the view is README's picture, saved to the
    /// test output or to LOGLIKEMAP_BUILTIN_SCREENSHOT when set (docs/screenshot-map.png, README.md "The map in the browser").
    /// </summary>
    [Fact]
    public async Task A_fine_tunes_panel_names_its_base_as_the_nearest_lineage()
    {
        const string model = "llama-bytes-prose-instruct";
        var page = await app.NewPageAsync();
        await page.SetViewportSizeAsync(1600, 1150);
        await page.GotoAsync($"/?model={model}&k=10");
        await Assertions.Expect(page.Locator("[data-testid=neighbour-row]")).ToHaveCountAsync(10);

        await Assertions.Expect(page.Locator("[data-testid=nearest-lineage] b")).ToHaveTextAsync("llama-bytes-prose");

        var target = Environment.GetEnvironmentVariable("LOGLIKEMAP_BUILTIN_SCREENSHOT");
        var path = string.IsNullOrEmpty(target) ? Path.Combine(AppContext.BaseDirectory, "screenshot-built-in-map.png") : target;
        Assert.NotEmpty(await page.ScreenshotAsync(new PageScreenshotOptions { Path = path }));
    }
}
