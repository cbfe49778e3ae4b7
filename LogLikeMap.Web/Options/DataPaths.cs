namespace LogLikeMap.Web.Options;

/// <summary>The configured folders resolved to absolute paths against the content root, created where the app writes.</summary>
public sealed class DataPaths
{
    public DataPaths(DataOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        DataFolder = Path.GetFullPath(options.Folder, contentRoot);
        DemoMapFolder = Path.GetFullPath(options.DemoMapFolder, contentRoot);
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
