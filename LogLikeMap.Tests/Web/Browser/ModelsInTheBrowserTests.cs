using System.Globalization;
using System.Text;
using System.Text.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>What an administrator does on the models page, in Chromium against the running app.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ModelsInTheBrowserTests(LiveAppFixture app)
{
    private const string Base = "AIJUUD/juud-Mistral-7B";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_administrator_deletes_a_model_through_the_confirmation_dialog_and_it_leaves_the_table_and_the_api()
    {
        // A model of this test's own (a results upload, placed in a second or so), so the demo map's models stay for
        // the other browser tests on the shared app.
        const string name = "browser-test/to-delete";
        var page = await app.NewAdminPageAsync("/models");
        await PlaceResultsCopyAsync(page, name);
        Assert.Contains(name, await ModelNamesAsync(page));

        // The page was drawn before the model was placed: its row comes through the page's live subscription to the
        // map, which also shows the circuit is up (a click on the prerendered page would be lost).
        var row = page.Locator("[data-testid=models-grid]").GetByText(name, new() { Exact = true });
        await Assertions.Expect(row).ToBeVisibleAsync();
        var delete = page.GetByLabel("Delete " + name, new() { Exact = true });
        await delete.ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync($"Delete \"{name}\" (mistral) from the map and the store?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();

        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Deleted \"{name}\" from the map and the store.");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.DoesNotContain(name, await ModelNamesAsync(page));
    }

    [Fact]
    public async Task The_sign_out_button_signs_the_administrator_out()
    {
        var page = await app.NewAdminPageAsync("/models");
        await LiveAppFixture.GotoInteractiveAsync(page, "/models");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();

        // The bar's form posts its anti-forgery token, which the server requires of a sign-out.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        var refresh = await page.APIRequest.PostAsync("/api/map/refresh");
        Assert.Equal(401, refresh.Status);
    }

    /// <summary>
    /// Uploads the base model's scores shifted by a small, text-dependent amount as a results file (the signed-in
    /// page's cookie is the administrator's) and waits until its job has placed it.
    /// </summary>
    private static async Task PlaceResultsCopyAsync(IPage page, string name)
    {
        var results = new StringBuilder();
        foreach (var line in File.ReadLines(Path.Combine(WebAppFactory.DemoMapFolder, "results", Base.Replace("/", "__", StringComparison.Ordinal) + ".jsonl")))
        {
            var r = JsonDocument.Parse(line).RootElement;
            var index = r.GetProperty("index").GetInt64();
            results.Append(CultureInfo.InvariantCulture,
                $"{{\"index\": {index}, \"num-tokens\": {r.GetProperty("num-tokens").GetInt32()}, \"log-likelihood\": {r.GetProperty("log-likelihood").GetDouble() + (0.5 * Math.Sin(index)):R}}}\n");
        }
        var form = page.APIRequest.CreateFormData();
        form.Set("file", new FilePayload { Name = "results.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(results.ToString()) });
        form.Set("name", name);
        form.Set("family", "mistral");
        var upload = await page.APIRequest.PostAsync("/api/uploads/results", new() { Multipart = form });
        Assert.Equal(202, upload.Status);
        var jobId = (await upload.JsonAsync())?.GetProperty("jobId").GetString()!;

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JobStatus? job = null;
        while (job is null || !job.State.IsFinished())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} did not finish within 60 seconds; last state {job?.State}.");
            await Task.Delay(100);
            job = JsonSerializer.Deserialize<JobStatus>(await (await page.APIRequest.GetAsync($"/api/jobs/{jobId}")).TextAsync(), Json);
        }
        Assert.Equal(JobState.Succeeded, job.State);
    }

    private static async Task<List<string>> ModelNamesAsync(IPage page)
    {
        var models = await page.APIRequest.GetAsync("/api/models");
        Assert.True(models.Ok);
        return [.. JsonSerializer.Deserialize<List<ModelPoint>>(await models.TextAsync(), Json)!.Select(m => m.Name)];
    }
}
