using Bunit;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Pages;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class UploadPageTests : ComponentTestContext
{
    private readonly FakeModelMapService _map = new([Model("org/taken", "opt", 0, 0)], new Dictionary<string, IReadOnlyList<Neighbour>>());
    private readonly FakeJobMonitor _jobs = new();

    private IRenderedComponent<UploadPage> RenderUploadPage(
        UploadResult answer, out FakeUploadService uploads, long? maxZipBytes = null, Exception? zipFailure = null)
    {
        uploads = new FakeUploadService(answer) { ZipFailure = zipFailure };
        UseServices(_map, uploads, _jobs);
        if (maxZipBytes is { } limit)
            Context.Services.Configure<UploadOptions>(o => o.MaxZipBytes = limit);
        // As on a live circuit: the submit button is enabled once the interactive page has rendered.
        Context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = RenderPage<UploadPage>();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=upload-submit]").HasAttribute("disabled")), RenderTimeout);
        return page;
    }

    [Fact]
    public void The_page_names_every_architecture_the_scorer_loads()
    {
        var page = RenderUploadPage(UploadResult.Queued("job-1"), out _);

        // It once listed the first wave's five by hand while the scorer loaded many more (qwen2_moe, phi3, gptj...).
        Assert.All(LogLikeMap.Scoring.Models.ModelRegistry.ModelTypes, t => Assert.Contains(t, page.Markup, StringComparison.Ordinal));
        Assert.Contains("qwen2_moe", page.Markup, StringComparison.Ordinal);
        Assert.Contains("gptj", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Submitting_an_empty_form_lists_what_is_missing_and_sends_nothing()
    {
        var page = RenderUploadPage(UploadResult.Queued("job-1"), out var uploads);

        page.Find("[data-testid=upload-submit]").Click();

        // The click validates the MudForm first, which may finish after the click returns.
        page.WaitForAssertion(() =>
        {
            var problems = page.Find("[data-testid=form-problems]").TextContent;
            Assert.Contains("Give the model a name", problems, StringComparison.Ordinal);
            Assert.Contains("Give a family", problems, StringComparison.Ordinal);
            Assert.Contains("Choose or drop a checkpoint zip (.zip).", problems, StringComparison.Ordinal);
        }, RenderTimeout);
        Assert.Empty(uploads.Calls);
    }

    [Fact]
    public void The_family_field_suggests_the_maps_families_and_announces_a_new_one()
    {
        var page = RenderUploadPage(UploadResult.Queued("job-1"), out _);

        var field = page.Find("input[data-testid=upload-family]");
        Assert.Equal(["opt"], page.FindAll($"datalist#{field.GetAttribute("list")} option").Select(o => o.GetAttribute("value")));

        field.Input("opt");
        Assert.Empty(page.FindAll("[data-testid=new-family-note]"));

        page.Find("input[data-testid=upload-family]").Input("opt2");
        page.WaitForAssertion(() => Assert.Contains(
            "\"opt2\" is a new family: it will be created", page.Find("[data-testid=new-family-note]").TextContent, StringComparison.Ordinal),
            RenderTimeout);
    }

    [Fact]
    public void A_name_already_on_the_map_is_refused_before_sending()
    {
        var page = RenderUploadPage(UploadResult.Queued("job-1"), out var uploads);

        page.Find("input[data-testid=upload-name]").Input("org/taken");
        page.Find("[data-testid=upload-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains(
            "A model named \"org/taken\" is already on the map", page.Find("[data-testid=form-problems]").TextContent, StringComparison.Ordinal),
            RenderTimeout);
        Assert.Empty(uploads.Calls);
    }

    [Fact]
    public async Task A_zip_is_streamed_to_the_upload_service_and_its_job_followed()
    {
        var page = RenderUploadPage(UploadResult.Queued("job-7"), out var uploads);
        var zip = new byte[5000];

        page.Find("input[data-testid=upload-name]").Input("me/tiny");
        page.Find("input[data-testid=upload-family]").Input("gpt2");
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(zip, "tiny.zip"));
        page.Find("[data-testid=upload-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal([("zip", "me/tiny", "gpt2", 5000L)], uploads.Calls), RenderTimeout);
        await _jobs.PublishAsync(new JobStatus("job-7", JobKind.Score, "me/tiny", JobState.Running, 120, 300, 1500, TimeSpan.FromSeconds(95), null, DateTimeOffset.UnixEpoch));
        page.WaitForAssertion(() => Assert.Equal(
            "120 / 300 texts · 1,500 tokens/s · about 1 min 35 s left",
            page.Find("[data-testid=job-progress]").TextContent.Trim().ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal)),
            RenderTimeout);
    }

    [Fact]
    public void A_zip_being_sent_shows_its_progress_and_cancel_stops_it_keeping_nothing()
    {
        var uploads = new StalledUploadService(takeBytes: 4096);
        UseServices(_map, uploads, _jobs);
        Context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = RenderPage<UploadPage>();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=upload-submit]").HasAttribute("disabled")), RenderTimeout);

        page.Find("input[data-testid=upload-name]").Input("me/big");
        page.Find("input[data-testid=upload-family]").Input("opt");
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[10 << 10], "big.zip"));
        page.Find("[data-testid=upload-submit]").Click();

        // The service has read 4 KiB of 10 KiB and waits for more: the page says how far the transfer got.
        page.WaitForAssertion(() => Assert.StartsWith(
            "4 KiB of 10 KiB", page.Find("[data-testid=upload-progress]").TextContent.Trim(), StringComparison.Ordinal), RenderTimeout);

        page.Find("[data-testid=upload-cancel]").Click();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Upload cancelled", page.Find("[data-testid=upload-cancelled]").TextContent, StringComparison.Ordinal);
            Assert.Empty(page.FindAll("[data-testid=upload-progress]"));
            Assert.Empty(page.FindAll("[data-testid=upload-error]"));
            Assert.Empty(page.FindAll("[data-testid=job]"));
        }, RenderTimeout);
        Assert.True(uploads.SawCancellation);
    }

    /// <summary>Reads the first bytes of the upload, then waits for the rest until the upload is cancelled, as over a slow link.</summary>
    private sealed class StalledUploadService(int takeBytes) : IUploadService
    {
        public bool SawCancellation { get; private set; }

        public async Task<UploadResult> SubmitCheckpointZipAsync(Stream zip, string modelName, string family, CancellationToken ct)
        {
            var buffer = new byte[takeBytes];
            await zip.ReadExactlyAsync(buffer, ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }
            return UploadResult.Refused("not reached");
        }

        public Task<UploadResult> SubmitServerFolderAsync(string folder, string modelName, string family, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<UploadResult> SubmitResultsFileAsync(Stream resultsJsonl, string modelName, string family, CancellationToken ct) =>
            throw new NotSupportedException();
    }

    [Fact]
    public void A_zip_over_the_servers_configured_limit_is_refused_naming_the_limit()
    {
        var page = RenderUploadPage(UploadResult.Queued("job-1"), out var uploads, maxZipBytes: 4096);
        Assert.Contains("Up to 4 KiB", page.Markup, StringComparison.Ordinal);

        page.Find("input[data-testid=upload-name]").Input("me/tiny");
        page.Find("input[data-testid=upload-family]").Input("gpt2");
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[5000], "tiny.zip"));
        page.Find("[data-testid=upload-submit]").Click();

        // 5000 bytes = 4.88 KiB against the configured 4096 bytes = 4 KiB.
        page.WaitForAssertion(() => Assert.Equal(
            "\"tiny.zip\" is 4.9 KiB; the limit is 4 KiB. Put large checkpoints in a folder on the server instead.",
            page.Find("[data-testid=form-problems]").TextContent.Trim()), RenderTimeout);
        Assert.Empty(uploads.Calls);
    }

    [Fact]
    public void The_servers_refusal_is_shown_as_it_was_given()
    {
        var page = RenderUploadPage(UploadResult.Refused("tiny.zip: config.json says model_type 'bert'; supported: gpt2, llama."), out _);

        page.Find("input[data-testid=upload-name]").Input("me/tiny");
        page.Find("input[data-testid=upload-family]").Input("gpt2");
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([1, 2, 3], "tiny.zip"));
        page.Find("[data-testid=upload-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(
            "tiny.zip: config.json says model_type 'bert'; supported: gpt2, llama.",
            page.Find("[data-testid=upload-error]").TextContent.Trim()), RenderTimeout);
    }

    [Theory]
    [InlineData(typeof(IOException), "The upload was interrupted")]
    [InlineData(typeof(InvalidDataException), "The server could not take the upload")]
    [InlineData(typeof(UnauthorizedAccessException), "The server could not take the upload")]
    public void A_failure_on_the_server_is_shown_without_its_paths_and_the_page_stays_usable(Type failure, string shown)
    {
        const string ServerPath = "/srv/loglikemap/data/uploads/0a1b.partial/upload.zip";
        var error = (Exception)Activator.CreateInstance(failure, $"Could not write '{ServerPath}'.")!;
        var page = RenderUploadPage(UploadResult.Queued("job-1"), out var uploads, zipFailure: error);

        page.Find("input[data-testid=upload-name]").Input("me/tiny");
        page.Find("input[data-testid=upload-family]").Input("gpt2");
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([1, 2, 3], "tiny.zip"));
        page.Find("[data-testid=upload-submit]").Click();

        page.WaitForAssertion(() =>
        {
            var message = page.Find("[data-testid=upload-error]").TextContent;
            Assert.StartsWith(shown, message.Trim(), StringComparison.Ordinal);
            Assert.DoesNotContain("/srv/", message, StringComparison.Ordinal);
            Assert.False(page.Find("[data-testid=upload-submit]").HasAttribute("disabled"));
        }, RenderTimeout);

        // The circuit is alive: the same page sends again.
        page.Find("[data-testid=upload-submit]").Click();
        page.WaitForAssertion(() => Assert.Equal(2, uploads.Calls.Count), RenderTimeout);
    }
}
