using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// The web app over a temporary data folder and the small demo map in TestData/web/demo-map
/// (40 models x 300 texts from the paper-format samples; see make_demo_map.py there).
/// </summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    public static string DemoMapFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "web", "demo-map");

    /// <summary>Configured below by its SHA-256, worked out with sha256sum: printf %s KEY | sha256sum.</summary>
    public const string ApiKey = "test-api-key-0123456789";

    /// <summary>SHA-256 of <see cref="ApiKey"/> in hex (sha256sum), as Security:ApiKeyHashes holds it.</summary>
    public const string ApiKeyHash = "47bd0e2f856fe258ebba4d00930ab811d0c004dafae068c9d72511ca3512cca6";

    /// <summary>Configured below by a PBKDF2 hash made with Python's hashlib.pbkdf2_hmac (1000 iterations, salt "loglikemap-tests").</summary>
    public const string AdminPassword = "correct horse battery staple";

    private readonly bool _ownsDataFolder;

    private readonly IReadOnlyDictionary<string, string> _settings;

    public WebAppFactory()
        : this(Directory.CreateTempSubdirectory("loglikemap-web-").FullName, ownsDataFolder: true)
    {
    }

    private WebAppFactory(string dataFolder, bool ownsDataFolder, IReadOnlyDictionary<string, string>? settings = null) =>
        (DataFolder, _ownsDataFolder, _settings) = (dataFolder, ownsDataFolder, settings ?? new Dictionary<string, string>());

    public string DataFolder { get; }

    /// <summary>An app over an existing data folder (a restart), which it leaves in place when disposed.</summary>
    public static WebAppFactory Over(string dataFolder) => new(dataFolder, ownsDataFolder: false);

    /// <summary>An app over a fresh data folder with these settings on top of the ones below.</summary>
    public static WebAppFactory With(IReadOnlyDictionary<string, string> settings) =>
        new(Directory.CreateTempSubdirectory("loglikemap-web-").FullName, ownsDataFolder: true, settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Data:Folder", DataFolder);
        builder.UseSetting("Data:DemoMapFolder", DemoMapFolder);
        builder.UseSetting("Jobs:Storage", "InMemory");
        builder.UseSetting("Security:AdminUser", "admin");
        builder.UseSetting("Security:AdminPasswordHash", "pbkdf2-sha256$1000$bG9nbGlrZW1hcC10ZXN0cw==$PQvmCb7bLdeA/bFUZ9SvHuzLRCmGk6Q3FVISJ+3cktk=");
        builder.UseSetting("Security:ApiKeyHashes:0", ApiKeyHash);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        PatientShutdown(builder);
    }

    /// <summary>
    /// A test app waits up to 30 s for its jobs to stop instead of the app's 3 s (CleanShutdown.Budget): the jobs are
    /// cancelled at once either way, but a scoring batch on a loaded CI machine can take longer than 3 s to notice, and
    /// the stop then failed the test that disposed the app ("A task was canceled" from Hangfire's StopAsync).
    /// </summary>
    internal static void PatientShutdown(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(s => s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30)));

    /// <summary>A client that sends the configured API key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        // Hangfire keeps the last configured app's logger factory in a process-wide static; once that app is gone,
        // Hangfire code elsewhere in this test process (another app's jobs, the Storage tests) would create its loggers
        // from the disposed factory and throw. Unset before the factory goes, so no other app sees it disposed.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        base.Dispose(disposing);
        if (disposing && _ownsDataFolder && Directory.Exists(DataFolder))
            Directory.Delete(DataFolder, recursive: true);
    }
}
