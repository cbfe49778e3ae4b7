using System.IO.Compression;
using System.Text.RegularExpressions;
using LogLikeMap.Tests.Web.Api;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>What an administrator does on the upload page, in Chromium against the running app.</summary>
[Collection(BrowserCollection.Name)]
public sealed class UploadInTheBrowserTests(LiveAppFixture app) : IDisposable
{
    // Scoring runs on a one-worker queue; on a loaded 2-core box the tiny checkpoint's 300 texts take seconds,
    // but starting the job and placing the model can take far longer: allow two minutes.
    private const float JobTimeoutMs = 120_000;

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("loglikemap-upload-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task A_checkpoint_zip_dropped_on_the_upload_page_is_scored_and_appears_on_the_map_as_provisional()
    {
        const string name = "browser-test/gpt2-tiny";
        var zip = ZipTinyCheckpoint();
        var page = await SignedInUploadPageAsync();

        await page.Locator("input[data-testid=upload-name]").FillAsync(name);
        await page.Locator("input[data-testid=upload-family]").FillAsync("gpt2-tiny");
        await page.Locator("input[type=file]").SetInputFilesAsync(zip);
        await Assertions.Expect(page.Locator("[data-testid=upload-chosen]")).ToContainTextAsync("gpt2-tiny.zip");
        await page.Locator("[data-testid=upload-submit]").ClickAsync();

        // The job's card follows it live until the model is on the map, then offers a link there.
        var job = page.Locator("[data-testid=job]");
        await Assertions.Expect(job).ToHaveAttributeAsync("data-job-state", "Succeeded", new() { Timeout = JobTimeoutMs });
        await Assertions.Expect(job.Locator("[data-testid=job-progress]")).ToContainTextAsync("300");
        var placed = page.Locator("[data-testid=placed-link]");
        await Assertions.Expect(placed).ToBeVisibleAsync(new() { Timeout = JobTimeoutMs });

        await page.GotoAsync("/");
        await page.Locator("#model-map .main-svg").First.WaitForAsync();
        await page.Locator("input[data-testid=search]").FillAsync("gpt2-tiny");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = name }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=selected-name]")).ToHaveTextAsync(name);
        await Assertions.Expect(page.Locator(".mud-alert-message", new() { HasText = "Provisional placement:" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=provisional-note]")).ToBeVisibleAsync();
        // Its neighbours are the demo map's models (k = 10 by default), never itself.
        var rows = page.Locator("[data-testid=neighbour-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        var neighbours = await page.Locator("[data-testid=neighbour-link]").AllTextContentsAsync();
        Assert.DoesNotContain(name, neighbours);
        Assert.Subset(new DemoMapOracle().ModelNames.ToHashSet(), neighbours.ToHashSet());
    }

    [Fact]
    public async Task A_zip_with_truncated_weights_gets_the_servers_message_and_no_job()
    {
        var zip = ZipTinyCheckpoint(truncateWeights: true);
        var page = await SignedInUploadPageAsync();

        await page.Locator("input[data-testid=upload-name]").FillAsync("browser-test/truncated");
        await page.Locator("input[data-testid=upload-family]").FillAsync("gpt2-tiny");
        await page.Locator("input[type=file]").SetInputFilesAsync(zip);
        // The circuit must have taken the file before the click, or the form rightly says that none is chosen.
        await Assertions.Expect(page.Locator("[data-testid=upload-chosen]")).ToContainTextAsync("gpt2-tiny.zip");
        await page.Locator("[data-testid=upload-submit]").ClickAsync();

        var error = page.Locator("[data-testid=upload-error]");
        await Assertions.Expect(error).ToBeVisibleAsync(new() { Timeout = JobTimeoutMs });
        await Assertions.Expect(error).ToContainTextAsync("model.safetensors");
        await Assertions.Expect(page.Locator("[data-testid=job]")).ToHaveCountAsync(0);
        var models = await page.APIRequest.GetAsync("/api/models");
        Assert.DoesNotContain("browser-test/truncated", await models.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_zip_shows_bytes_sent_rate_and_time_left_and_cancel_stops_it_leaving_no_partial_folder()
    {
        // 100 MiB take tens of seconds through the circuit's file stream: long enough to watch and cancel. Not a valid
        // zip, which does not matter: the transfer is cancelled before the server would open it.
        var big = Path.Combine(_scratch.FullName, "big-checkpoint.zip");
        await using (var file = File.Create(big))
            file.SetLength(100L << 20);
        var page = await SignedInUploadPageAsync();

        await page.Locator("input[data-testid=upload-name]").FillAsync("browser-test/big");
        await page.Locator("input[data-testid=upload-family]").FillAsync("gpt2-tiny");
        await page.Locator("input[type=file]").SetInputFilesAsync(big);
        await Assertions.Expect(page.Locator("[data-testid=upload-chosen]")).ToContainTextAsync("big-checkpoint.zip");
        await page.Locator("[data-testid=upload-submit]").ClickAsync();

        var progress = page.Locator("[data-testid=upload-progress]");
        await Assertions.Expect(progress).ToContainTextAsync(new Regex(@"MiB of 100 MiB · [\d.]+ [KM]iB/s · about .* left"), new() { Timeout = 60_000 });
        await LiveAppFixture.SaveScreenshotAsync(page, "upload-progress");
        var partials = Directory.GetDirectories(Path.Combine(app.DataFolder, "uploads"), "*.partial");
        Assert.Single(partials);

        await page.Locator("[data-testid=upload-cancel]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=upload-cancelled]")).ToBeVisibleAsync();
        await Assertions.Expect(progress).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=job]")).ToHaveCountAsync(0);
        Assert.False(Directory.Exists(partials[0]), "The cancelled upload's partial folder is still there.");
        await LiveAppFixture.SaveScreenshotAsync(page, "upload-cancelled");
    }

    /// <summary>Signs in as the administrator on the login form, which returns to the upload page.</summary>
    private async Task<IPage> SignedInUploadPageAsync()
    {
        var page = await app.NewAdminPageAsync("/upload");
        // The button is enabled once the circuit is up; what is typed into the prerendered form before that is lost.
        await Assertions.Expect(page.Locator("[data-testid=upload-submit]")).ToBeEnabledAsync();
        return page;
    }

    /// <summary>
    /// The scoring tests' tiny GPT-2 (TestData/scoring/gpt2-tiny) zipped as a user would; truncated, its weights
    /// end halfway through the tensors that the header promises.
    /// </summary>
    private string ZipTinyCheckpoint(bool truncateWeights = false)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny");
        var zipPath = Path.Combine(_scratch.FullName, "gpt2-tiny.zip");
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var file in Directory.GetFiles(source))
        {
            var entryName = Path.GetFileName(file);
            if (truncateWeights && entryName == "model.safetensors")
            {
                var bytes = File.ReadAllBytes(file);
                using var entry = zip.CreateEntry(entryName).Open();
                entry.Write(bytes, 0, bytes.Length / 2);
            }
            else
            {
                zip.CreateEntryFromFile(file, entryName);
            }
        }

        return zipPath;
    }
}
