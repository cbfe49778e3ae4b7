namespace LogLikeMap.Web.Uploads;

/// <summary>Rewrites a message so it names files relative to the checkpoint folder instead of by their server path.</summary>
public static class CheckpointPaths
{
    /// <summary>
    /// <c>/srv/data/uploads/ab12/checkpoint/config.json is not valid JSON</c> becomes <c>config.json is not valid JSON</c>;
    /// the folder itself becomes <paramref name="folderShownAs"/>.
    /// </summary>
    public static string Relative(string message, string checkpointFolder, string folderShownAs)
    {
        ArgumentNullException.ThrowIfNull(message);
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpointFolder));
        return message
            .Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)
            .Replace(folder, folderShownAs, StringComparison.Ordinal);
    }
}
