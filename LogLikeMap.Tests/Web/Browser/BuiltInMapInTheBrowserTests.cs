using System.Text.Json;
using LogLikeMap.Lab.Zoo;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>The live app on a fresh data folder seeded from the repository's built-in map, data/demo-map.</summary>
public sealed class BuiltInMapFixture() : LiveAppFixture(RepositoryDemoMap)
{
    /// <summary>data/demo-map of the checkout the tests were built from (found above the test binaries).</summary>
    public static string RepositoryDemoMap => Path.Combine(RepositoryCheckout.Root, "data", "demo-map");
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
                // Model points only: the leakage flags' x marks sit on flagged models' own points.
                return plot._fullData.filter(t => t.visible === true && t.mode === 'markers' && t.name !== 'leakage flags')
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
    /// Issue 18.1 on the drawn map: a sample fine-tune uploaded as results lands, on screen, beside a model of the
    /// lineage it was fine-tuned from (its own tokenizer makes that lineage a tight cluster apart from the byte-level
    /// ones), and its panel names that lineage. The upload is deleted afterwards, so the map's other tests see the
    /// built-in map alone.
    /// </summary>
    [Fact]
    public async Task An_uploaded_sample_is_drawn_beside_its_lineage_and_its_panel_names_it()
    {
        const string sample = "gpt2-bpe1k-docs-sample-ft-email", lineage = "gpt2-bpe1k-docs", name = "uploaded/" + sample;
        using var client = app.CreateAdminClient();
        await ResultsUploads.PlaceAsync(client, name, lineage, ResultsUploads.SampleScores(sample));
        try
        {
            var page = await app.NewPageAsync();
            await page.SetViewportSizeAsync(1600, 1150);
            await LiveAppFixture.GotoInteractiveAsync(page, "/?model=" + Uri.EscapeDataString(name) + "&k=10");
            await page.Locator("#model-map .main-svg").First.WaitForAsync();
            await Assertions.Expect(page.Locator("[data-testid=neighbour-row]")).ToHaveCountAsync(10);
            await Assertions.Expect(page.Locator("[data-testid=nearest-lineage] b")).ToHaveTextAsync(lineage);

            var models = JsonSerializer.Deserialize<List<ModelPoint>>(
                await client.GetStringAsync("/api/models"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            var pixels = await page.EvaluateAsync<double[][]>(
                """
                points => {
                    const plot = document.getElementById('model-map');
                    const xaxis = plot._fullLayout.xaxis, yaxis = plot._fullLayout.yaxis;
                    return points.map(([x, y]) => [xaxis._offset + xaxis.l2p(x), yaxis._offset + yaxis.l2p(y)]);
                }
                """,
                models.Select(m => new[] { m.X, m.Y }).ToArray());
            var placed = models.FindIndex(m => m.Name == name);
            double Pixels(int j) => Math.Sqrt(Math.Pow(pixels[placed][0] - pixels[j][0], 2) + Math.Pow(pixels[placed][1] - pixels[j][1], 2));
            var others = Enumerable.Range(0, models.Count).Where(j => j != placed).ToList();
            var nearest = others.MinBy(Pixels);
            var plotWidth = await page.EvaluateAsync<double>("() => document.getElementById('model-map')._fullLayout.xaxis._length");

            Assert.Equal(lineage, models[nearest].Family);
            Assert.True(Pixels(nearest) <= 0.06 * plotWidth,
                $"{name} is drawn {Pixels(nearest):F0} px from its nearest point {models[nearest].Name} on a plot {plotWidth:F0} px wide.");
            await LiveAppFixture.SaveScreenshotAsync(page, "sample-drawn-beside-its-lineage");
        }
        finally
        {
            (await client.DeleteAsync("/api/models/" + Uri.EscapeDataString(name))).EnsureSuccessStatusCode();
        }
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
        // The picture needs the plot itself, drawn a round trip after the panel (a screenshot once showed it empty).
        await page.Locator("#model-map .main-svg").First.WaitForAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('model-map')?._fullData?.some(t => t.mode === 'markers')");

        var target = Environment.GetEnvironmentVariable("LOGLIKEMAP_BUILTIN_SCREENSHOT");
        var path = string.IsNullOrEmpty(target) ? Path.Combine(AppContext.BaseDirectory, "screenshot-built-in-map.png") : target;
        Assert.NotEmpty(await page.ScreenshotAsync(new PageScreenshotOptions { Path = path }));
    }
}
