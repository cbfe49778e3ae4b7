namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Checkpoint folders on the server (for checkpoints too big to upload), which must lie under Uploads:AllowedServerRoot
/// with everything in them. Links are resolved level by level, the folder's and every file's: a symbolic link inside
/// the root could point anywhere, and the scorer opens files by name. Checked when the folder is named and again just
/// before the job reads it, since the files can change in between.
/// </summary>
/// <remarks>
/// Hard links cannot be told from ordinary files through .NET's file APIs (no link count), so they are not refused
/// here. Linux refuses to make a hard link to a file its maker can neither read nor write unless they own it
/// (fs.protected_hardlinks, on by default in Debian and Ubuntu), so such a link gives no one more than they have.
/// </remarks>
public static class ServerFolders
{
    /// <summary>The folder's real path, checked to lie under the root with every file and folder in it.</summary>
    /// <exception cref="UploadRejectedException">Server folders are off, or the folder or something in it lies outside the root.</exception>
    public static string Resolve(string folder, string? allowedRoot)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (string.IsNullOrWhiteSpace(allowedRoot))
        {
            throw new UploadRejectedException(
                "Server folders are switched off. An administrator can allow them by setting Uploads:AllowedServerRoot to the folder that holds checkpoints.");
        }
        var rootPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(allowedRoot));
        var path = Path.GetFullPath(folder, rootPath);
        if (!path.StartsWith(rootPath + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new UploadRejectedException($"'{folder}' is not under the allowed folder {rootPath}. Copy the checkpoint there and name it again.");
        if (!Directory.Exists(path))
            throw new UploadRejectedException($"There is no folder '{folder}' under {rootPath}.");
        var realRoot = RealPath(rootPath) + Path.DirectorySeparatorChar;
        var resolved = RealPath(path);
        if (!resolved.StartsWith(realRoot, StringComparison.Ordinal))
            throw new UploadRejectedException($"'{folder}' leads through a symbolic link out of the allowed folder {rootPath}; name the real folder.");
        CheckContents(resolved, realRoot, folder, rootPath);
        return resolved;
    }

    /// <summary>Every entry of the folder, at any depth, must really lie under the root; links are followed to their final target.</summary>
    private static void CheckContents(string folder, string realRoot, string shownFolder, string shownRoot)
    {
        var everything = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", everything))
        {
            string real;
            try
            {
                real = RealPath(entry);
            }
            catch (IOException e)
            {
                // A link that loops or leads nowhere; its own message would name server paths.
                throw new UploadRejectedException($"'{Path.GetRelativePath(folder, entry)}' in '{shownFolder}' is a broken or looping link; replace it with the real file.", e);
            }
            if (!real.StartsWith(realRoot, StringComparison.Ordinal))
            {
                throw new UploadRejectedException(
                    $"'{Path.GetRelativePath(folder, entry)}' in '{shownFolder}' is a link to a file outside the allowed folder {shownRoot}; copy the real file into the checkpoint folder instead.");
            }
        }
    }

    /// <summary>
    /// The path with every link on it resolved, parents first (what realpath(3) gives): a link's final target can itself
    /// lie under a linked folder.
    /// </summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        if (parent is null)
            return full;
        var here = Path.Combine(RealPath(parent), Path.GetFileName(full));
        var target = new FileInfo(here).LinkTarget is null ? null : File.ResolveLinkTarget(here, returnFinalTarget: true);
        if (target is null)
            return here;
        if (!File.Exists(target.FullName) && !Directory.Exists(target.FullName))
            throw new IOException($"The link {here} leads to nothing.");
        return RealPath(target.FullName);
    }
}
