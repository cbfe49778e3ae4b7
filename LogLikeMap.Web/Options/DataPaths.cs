using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Options;

/// <summary>The configured folders resolved to absolute paths against the content root, created where the app writes.</summary>
public sealed class DataPaths
{
    public DataPaths(IOptions<DataOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        DataFolder = Path.GetFullPath(options.Value.Folder, environment.ContentRootPath);
        DemoMapFolder = Path.GetFullPath(options.Value.DemoMapFolder, environment.ContentRootPath);
        Directory.CreateDirectory(DataFolder);
        Directory.CreateDirectory(UploadsFolder);
        Directory.CreateDirectory(JobsFolder);
    }

    public string DataFolder { get; }

    public string DemoMapFolder { get; }

    public string UploadsFolder => Path.Combine(DataFolder, "uploads");

    public string JobsFolder => Path.Combine(DataFolder, "jobs");

    public string SqliteDatabase => Path.Combine(DataFolder, "loglikemap.db");
}
