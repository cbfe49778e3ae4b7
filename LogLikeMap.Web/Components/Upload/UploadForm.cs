using System.Globalization;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Web.Components.Upload;

/// <summary>Where the model to place comes from.</summary>
public enum UploadSource
{
    CheckpointZip,
    ServerFolder,
    ResultsFile,
}

/// <summary>
/// The upload form's fields and the checks the page can make before sending anything: each message says what is
/// wrong and what to do. The server validates the archive or folder itself (UploadResult.Error).
/// </summary>
/// <param name="maxZipBytes">The server's limit on a checkpoint zip (Uploads:MaxZipBytes): bigger ones go through a server folder.</param>
/// <param name="maxResultsBytes">The server's limit on a results file (Uploads:MaxResultsBytes).</param>
public sealed class UploadForm(long maxZipBytes, long maxResultsBytes)
{
    public UploadSource Source { get; set; } = UploadSource.CheckpointZip;
    public string Name { get; set; } = string.Empty;
    public string Family { get; set; } = string.Empty;
    public string ServerFolder { get; set; } = string.Empty;
    public string? FileName { get; set; }
    public long? FileSize { get; set; }

    public long MaxZipBytes { get; } = maxZipBytes > 0 ? maxZipBytes : throw new ArgumentOutOfRangeException(nameof(maxZipBytes));

    public long MaxResultsBytes { get; } = maxResultsBytes > 0 ? maxResultsBytes : throw new ArgumentOutOfRangeException(nameof(maxResultsBytes));

    public long MaxFileBytes => Source == UploadSource.ResultsFile ? MaxResultsBytes : MaxZipBytes;

    /// <summary>The shared rules (<see cref="ModelNameRules"/>), then whether the map already has the name.</summary>
    public static string? CheckName(string? name, IEnumerable<string> namesOnMap)
    {
        ArgumentNullException.ThrowIfNull(namesOnMap);
        return ModelNameRules.NameProblem(name)
            ?? (namesOnMap.Contains(name, StringComparer.Ordinal) ? ModelNameRules.AlreadyOnMap(name!) : null);
    }

    public static string? CheckFamily(string? family) => ModelNameRules.FamilyProblem(family);

    /// <summary>
    /// Null for a family already on the map; otherwise says that a new family (with a colour of its own) will be
    /// created, naming an existing family that differs only in case, spaces, '-' or '_' as the likely one meant.
    /// </summary>
    public static string? NewFamilyNote(string? family, IEnumerable<string> familiesOnMap)
    {
        ArgumentNullException.ThrowIfNull(familiesOnMap);
        if (string.IsNullOrWhiteSpace(family) || CheckFamily(family) is not null)
            return null;
        var trimmed = family.Trim();
        var existing = familiesOnMap.ToList();
        if (existing.Contains(trimmed, StringComparer.Ordinal))
            return null;
        var alike = existing.FirstOrDefault(f => Loosely(f) == Loosely(trimmed));
        return alike is not null
            ? $"\"{trimmed}\" is not on the map, but \"{alike}\" is: did you mean it? As typed, a new family \"{trimmed}\" will be created."
            : $"\"{trimmed}\" is a new family: it will be created, with a colour of its own on the map.";
    }

    private static string Loosely(string family) =>
        string.Concat(family.Where(c => c is not ('-' or '_' or ' ' or '.'))).ToLowerInvariant();

    public string? CheckFile()
    {
        if (Source == UploadSource.ServerFolder)
            return null;
        var (kind, extension) = Source == UploadSource.CheckpointZip ? ("checkpoint zip", ".zip") : ("results file", ".jsonl");
        if (FileName is null)
            return $"Choose or drop a {kind} ({extension}).";
        if (!FileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            return $"\"{FileName}\" is not a {extension} file; the {kind} must end in {extension}.";
        if (FileSize is { } size && size > MaxFileBytes)
        {
            // Rounded sizes can read alike (4 GiB and 4 GiB plus a byte): then both are given in bytes too.
            var (file, limit) = (Size(size), Size(MaxFileBytes));
            if (file == limit)
                (file, limit) = (string.Create(CultureInfo.InvariantCulture, $"{file} ({size:N0} bytes)"),
                    string.Create(CultureInfo.InvariantCulture, $"{limit} ({MaxFileBytes:N0} bytes)"));
            return $"\"{FileName}\" is {file}; the limit is {limit}."
                + (Source == UploadSource.CheckpointZip ? " Put large checkpoints in a folder on the server instead." : string.Empty);
        }
        return null;
    }

    public string? CheckServerFolder()
    {
        if (Source != UploadSource.ServerFolder)
            return null;
        if (string.IsNullOrWhiteSpace(ServerFolder))
            return "Give the checkpoint folder's path on the server, e.g. /data/checkpoints/my-model.";
        if (!Path.IsPathFullyQualified(ServerFolder))
            return $"\"{ServerFolder}\" is a relative path; give the full path of the folder on the server.";
        return null;
    }

    /// <summary>Every problem with the form as it stands, in the order the fields appear.</summary>
    public IReadOnlyList<string> Problems(IEnumerable<string> namesOnMap) =>
        new[] { CheckName(Name, namesOnMap), CheckFamily(Family), CheckFile(), CheckServerFolder() }
            .OfType<string>()
            .ToList();

    /// <summary>A size as people read it: "2 GiB", "1.5 MiB", "512 bytes".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
