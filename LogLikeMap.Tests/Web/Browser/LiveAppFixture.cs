using LogLikeMap.Tests.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LogLikeMap.Tests.Web.Browser;

/// <summary>
/// The real app on Kestrel at a free localhost port (same data and credentials as the API tests' factory), and
/// Debian's Chromium driven by Playwright. Nothing is downloaded: Playwright is pointed at /usr/bin/chromium.
/// </summary>
public class LiveAppFixture : IAsyncLifetime
{
    // The flags the machine's notes give for headless Chromium with no network: no sandbox as root, software GL,
    // and none of the background connections that a closed network refuses.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public const string AdminUser = "admin";

    private readonly LiveApp _app;
    private IPlaywright? _playwright;

    public LiveAppFixture()
        : this(WebAppFactory.DemoMapFolder)
    {
    }

    /// <summary>The app seeded from another demo map folder.</summary>
    protected LiveAppFixture(string demoMapFolder) => _app = new LiveApp(demoMapFolder);

    public string BaseUrl { get; private set; } = string.Empty;

    public IBrowser Browser { get; private set; } = default!;

    public string DataFolder => _app.DataFolder;

    public async Task InitializeAsync()
    {
        _app.UseKestrel(0);
        _app.StartServer();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        await _app.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Opens <paramref name="path"/> and waits until its circuit has taken over: the prerendered page looks the same
    /// but drops clicks.
    /// </summary>
    public static async Task GotoInteractiveAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Assertions.Expect(page.Locator("[data-interactive=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
    }

    /// <summary>A client of the live app that sends the administrator's API key (for steps that set a test up).</summary>
    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", WebAppFactory.ApiKey);
        return client;
    }

    /// <summary>Where the browser tests leave their screenshots: LOGLIKEMAP_SCREENSHOTS, or "screens" beside the tests.</summary>
    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("LOGLIKEMAP_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screens");
        Directory.CreateDirectory(folder);
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") });
        Assert.NotEmpty(bytes);
    }

    /// <summary>A new page signed in as the administrator on the login form, which returns to <paramref name="path"/>.</summary>
    public async Task<IPage> NewAdminPageAsync(string path)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(path));
        await page.Locator("#username").FillAsync(AdminUser);
        await page.Locator("#password").FillAsync(WebAppFactory.AdminPassword);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await page.WaitForURLAsync("**" + path);
        return page;
    }

    private sealed class LiveApp(string demoMapFolder) : WebApplicationFactory<Program>
    {
        /// <summary>WebAppFactory's hash of <see cref="WebAppFactory.AdminPassword"/> (PBKDF2, made with Python's hashlib).</summary>
        private const string AdminPasswordHash = "pbkdf2-sha256$1000$bG9nbGlrZW1hcC10ZXN0cw==$PQvmCb7bLdeA/bFUZ9SvHuzLRCmGk6Q3FVISJ+3cktk=";

        public string DataFolder { get; } = Directory.CreateTempSubdirectory("loglikemap-browser-").FullName;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // The API tests' settings (WebAppFactory): the test demo map, in-memory jobs, and its admin password hash.
            builder.UseEnvironment("Testing");
            builder.UseSetting("DetailedErrors", "true");
            builder.UseSetting("Data:Folder", DataFolder);
            builder.UseSetting("Data:DemoMapFolder", demoMapFolder);
            builder.UseSetting("Jobs:Storage", "InMemory");
            builder.UseSetting("Security:AdminUser", AdminUser);
            builder.UseSetting("Security:AdminPasswordHash", AdminPasswordHash);
            builder.UseSetting("Security:ApiKeyHashes:0", WebAppFactory.ApiKeyHash);
            WebAppFactory.PatientShutdown(builder);
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Directory.Exists(DataFolder))
                Directory.Delete(DataFolder, recursive: true);
        }
    }
}

/// <summary>
/// The browser tests share one live app, and run after every other collection, alone: a browser, the live app and
/// another test's app scoring a model would share the CI machine's two cores, and the browser's waits are timed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<LiveAppFixture>
{
    public const string Name = "Browser";
}
