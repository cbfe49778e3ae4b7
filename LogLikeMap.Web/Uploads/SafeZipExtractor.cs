using System.IO.Compression;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Extracts an uploaded checkpoint zip only after every entry passed the archive checks: entry count,
/// declared sizes, compression ratio (zip bombs), names that could escape the target folder (<c>..</c>,
/// absolute paths, drive letters), names given twice, and symbolic links. Sizes are enforced again while writing,
/// because a zip's declared sizes can lie, and an entry whose data turns out damaged is refused by name. Whatever
/// stops an extraction, the target folder is removed again. A zip holding one top-level folder is extracted from
/// inside it, so both "zip the folder" and "zip its contents" work.
/// </summary>
public sealed class SafeZipExtractor(UploadOptions limits)
{
    /// <summary>Unix mode bits in the high 16 bits of a zip entry's external attributes (Info-ZIP).</summary>
    private const int UnixFileTypeMask = 0xF000, UnixSymbolicLink = 0xA000;

    /// <summary>Small entries compress extremely well when they are all whitespace; the ratio check starts above this.</summary>
    private const long RatioCheckFrom = 1 << 20;

    /// <param name="targetFolder">A folder that does not exist yet; it is created, and removed if extraction fails.</param>
    public async Task ExtractAsync(Stream zip, string targetFolder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(zip, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, ct);
        }
        catch (InvalidDataException e)
        {
            throw new UploadRejectedException("The upload is not a readable zip archive. Zip the checkpoint folder (config.json, weights, tokenizer files) and upload the .zip.", e);
        }
        await using (archive)
        {
            var files = CheckEntries(archive.Entries);
            var prefix = CommonTopFolder(files);
            try
            {
                await ExtractFilesAsync(files, prefix, targetFolder, ct);
            }
            catch
            {
                // Nothing half-extracted stays behind, whatever stopped the extraction.
                if (Directory.Exists(targetFolder))
                    Directory.Delete(targetFolder, recursive: true);
                throw;
            }
        }
    }

    private async Task ExtractFilesAsync(List<(ZipArchiveEntry Entry, string Name)> files, string prefix, string targetFolder, CancellationToken ct)
    {
        Directory.CreateDirectory(targetFolder);
        long written = 0;
        foreach (var (entry, name) in files)
        {
            var relative = name[prefix.Length..];
            var destination = Path.GetFullPath(Path.Combine(targetFolder, relative));
            if (!destination.StartsWith(Path.GetFullPath(targetFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' would be written outside the checkpoint folder; remove it and zip again.");
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            await using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using var source = await OpenEntryAsync(entry, ct);
            written += await CopyBoundedAsync(source, target, entry, written, ct);
        }
    }

    private static async Task<Stream> OpenEntryAsync(ZipArchiveEntry entry, CancellationToken ct)
    {
        try
        {
            return await entry.OpenAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw Damaged(entry, e);
        }
    }

    /// <summary>
    /// A damaged local header or compressed data (InvalidDataException, or IOException when it ends early), or a
    /// compression method .NET cannot read (NotSupportedException). Their own messages can name server paths, so
    /// the refusal says only which entry failed and what to do.
    /// </summary>
    private static UploadRejectedException Damaged(ZipArchiveEntry entry, Exception e) => new(
        $"Zip entry '{entry.FullName}' could not be read: the archive is damaged or uses a compression method other than deflate. Zip the checkpoint folder again and upload the new file.", e);

    private List<(ZipArchiveEntry Entry, string Name)> CheckEntries(IReadOnlyCollection<ZipArchiveEntry> entries)
    {
        if (entries.Count > limits.MaxEntries)
            throw new UploadRejectedException($"The zip has {entries.Count} entries; at most {limits.MaxEntries} are accepted. Zip only the checkpoint folder.");
        var files = new List<(ZipArchiveEntry, string)>();
        // Two entries that would land on one file: the second would overwrite or fail. Case is ignored so the
        // answer is the same on every file system.
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        foreach (var entry in entries)
        {
            var name = Normalised(entry.FullName);
            if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':') || name.Split('/').Contains(".."))
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' has an absolute path or '..'; entries must stay inside the checkpoint folder. Zip the folder itself.");
            if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymbolicLink)
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' is a symbolic link; links are not accepted. Zip the real files (zip without -y).");
            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
                continue;
            if (!seen.TryAdd(name, entry.FullName))
            {
                var which = seen[name] == entry.FullName ? $"'{entry.FullName}' twice" : $"'{seen[name]}' and '{entry.FullName}', which name the same file";
                throw new UploadRejectedException($"The zip holds {which}; each file may appear once. Zip the checkpoint folder again (not by adding to an old zip).");
            }
            if (entry.Length > limits.MaxEntryBytes)
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' is {entry.Length:N0} bytes; the limit per file is {limits.MaxEntryBytes:N0}. Use a server folder for large checkpoints.");
            if (entry.Length > RatioCheckFrom && entry.Length > entry.CompressedLength * limits.MaxCompressionRatio)
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' expands {entry.Length / Math.Max(entry.CompressedLength, 1)} times, more than the {limits.MaxCompressionRatio} accepted; it looks like a zip bomb.");
            total += entry.Length;
            if (total > limits.MaxExtractedBytes)
                throw new UploadRejectedException($"The zip expands to more than {limits.MaxExtractedBytes:N0} bytes, the limit. Use a server folder for large checkpoints.");
            files.Add((entry, name));
        }
        if (files.Count == 0)
            throw new UploadRejectedException("The zip holds no files. Zip the checkpoint folder (config.json, weights, tokenizer files).");
        // The per-entry ratio spares small entries (JSON of whitespace compresses extremely well), so many small bombs
        // would pass it: 241 entries of 1 MiB of zeros are a 575 KB zip and 241 MB on disk. The archive as a whole is
        // held to the same ratio; the sizes were checked against what is written above, so they cannot understate it.
        var compressed = files.Sum(f => f.Item1.CompressedLength);
        if (total > RatioCheckFrom && total > compressed * limits.MaxCompressionRatio)
        {
            throw new UploadRejectedException(
                $"The zip's files expand {total / Math.Max(compressed, 1)} times together ({total:N0} bytes from {compressed:N0}), more than the "
                + $"{limits.MaxCompressionRatio} accepted; it looks like a zip bomb. Zip only the checkpoint folder.");
        }
        // A file and a folder of one name ("a" and "a/b") cannot both be written.
        foreach (var (entry, name) in files)
        {
            for (var slash = name.IndexOf('/', 1); slash > 0; slash = name.IndexOf('/', slash + 1))
            {
                if (seen.ContainsKey(name[..slash]))
                    throw new UploadRejectedException($"Zip entry '{entry.FullName}' collides with another entry of the same name (a file and a folder). Rename one and zip again.");
            }
        }
        return files;
    }

    /// <summary>
    /// The path an entry names, as it will be written: '\\' read as '/', empty and "." parts dropped (so "a//b" and
    /// "./a/b" are both "a/b"). A leading '/' is kept for the absolute-path check.
    /// </summary>
    private static string Normalised(string entryName)
    {
        var name = entryName.Replace('\\', '/');
        var parts = name.Split('/').Where(part => part.Length > 0 && part != ".");
        return (name.StartsWith('/') ? "/" : "") + string.Join('/', parts);
    }

    /// <summary>"folder/" when every file lies under the same top folder, else "".</summary>
    private static string CommonTopFolder(List<(ZipArchiveEntry Entry, string Name)> files)
    {
        var first = files[0].Name;
        var slash = first.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return "";
        var prefix = first[..(slash + 1)];
        return files.All(f => f.Name.StartsWith(prefix, StringComparison.Ordinal)) ? prefix : "";
    }

    /// <summary>Copies at most the declared length and the remaining total; a stream that goes on is refused.</summary>
    private async Task<long> CopyBoundedAsync(Stream source, Stream target, ZipArchiveEntry entry, long writtenBefore, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long copied = 0;
        int read;
        while ((read = await ReadEntryAsync(source, buffer, entry, ct)) > 0)
        {
            copied += read;
            if (copied > entry.Length || copied > limits.MaxEntryBytes || writtenBefore + copied > limits.MaxExtractedBytes)
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' holds more data than it declares; the archive is corrupt or hostile.");
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return copied;
    }

    private static async Task<int> ReadEntryAsync(Stream source, byte[] buffer, ZipArchiveEntry entry, CancellationToken ct)
    {
        try
        {
            return await source.ReadAsync(buffer, ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Damaged(entry, e);
        }
    }
}
