using System.ComponentModel.DataAnnotations;
using LogLikeMap.Store;

namespace LogLikeMap.Web.Options;

/// <summary>Where the app keeps its data (configuration section "Data"). Relative paths are under the content root.</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>The folder holding the SQLite database, uploads and job state.</summary>
    [Required]
    public string Folder { get; set; } = "../data/app";

    /// <summary>The built-in demo map (texts.jsonl, models.jsonl, results/) imported into an empty store.</summary>
    [Required]
    public string DemoMapFolder { get; set; } = "../data/demo-map";

    /// <summary>Which database holds the store: Sqlite (embedded default) or PostgreSql.</summary>
    public StoreProvider Database { get; set; } = StoreProvider.Sqlite;

    /// <summary>Needed for PostgreSql; for Sqlite the default is <c>Data Source=Folder/loglikemap.db</c>.</summary>
    public string? ConnectionString { get; set; }
}
