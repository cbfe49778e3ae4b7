using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// The web app over a temporary data folder and the small demo map in TestData/web/demo-map
/// (40 models x 300 texts from the paper-format samples; see make_demo_map.py there).
/// </summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    public static string DemoMapFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "web", "demo-map");

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("loglikemap-web-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Data:Folder", DataFolder);
        builder.UseSetting("Data:DemoMapFolder", DemoMapFolder);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(DataFolder))
            Directory.Delete(DataFolder, recursive: true);
    }
}
