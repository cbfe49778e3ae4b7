using System.ComponentModel.DataAnnotations;

namespace LogLikeMap.Web.Options;

/// <summary>Where the app keeps its data (configuration section "Data"). Relative paths are under the content root.</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>The folder holding the SQLite database, uploads and job state.</summary>
    [Required]
    public string Folder { get; set; } = "../data/app";

    /// <summary>The built-in demo map (texts.jsonl, models.jsonl, results/) loaded into an empty store.</summary>
    [Required]
    public string DemoMapFolder { get; set; } = "../data/demo-map";

    /// <summary>Which database holds the store.</summary>
    public DatabaseProvider Database { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Needed for PostgreSql; for Sqlite the database file is <c>Folder/loglikemap.db</c> unless given.</summary>
    public string? ConnectionString { get; set; }
}

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
