using System.IO.Compression;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Extracts an uploaded checkpoint zip only after every entry passed the archive checks: entry count,
/// declared sizes, compression ratio (zip bombs), names that could escape the target folder (<c>..</c>,
/// absolute paths, drive letters) and symbolic links. Sizes are enforced again while writing, because a
/// zip's declared sizes can lie. A zip holding one top-level folder is extracted from inside it, so both
/// "zip the folder" and "zip its contents" work.
/// </summary>
public sealed class SafeZipExtractor(UploadOptions limits)
{
    /// <summary>Unix mode bits in the high 16 bits of a zip entry's external attributes (Info-ZIP).</summary>
    private const int UnixFileTypeMask = 0xF000, UnixSymbolicLink = 0xA000;

    /// <summary>Small entries compress extremely well when they are all whitespace; the ratio check starts above this.</summary>
    private const long RatioCheckFrom = 1 << 20;

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
            Directory.CreateDirectory(targetFolder);
            long written = 0;
            foreach (var (entry, name) in files)
            {
                var relative = name[prefix.Length..];
                var destination = Path.GetFullPath(Path.Combine(targetFolder, relative));
                if (!destination.StartsWith(Path.GetFullPath(targetFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new UploadRejectedException($"Zip entry '{entry.FullName}' would be written outside the checkpoint folder; remove it and zip again.");
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                await using var source = await entry.OpenAsync(ct);
                await using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                written += await CopyBoundedAsync(source, target, entry, written, ct);
            }
        }
    }

    private List<(ZipArchiveEntry Entry, string Name)> CheckEntries(IReadOnlyCollection<ZipArchiveEntry> entries)
    {
        if (entries.Count > limits.MaxEntries)
            throw new UploadRejectedException($"The zip has {entries.Count} entries; at most {limits.MaxEntries} are accepted. Zip only the checkpoint folder.");
        var files = new List<(ZipArchiveEntry, string)>();
        long total = 0;
        foreach (var entry in entries)
        {
            var name = entry.FullName.Replace('\\', '/');
            if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':') || name.Split('/').Contains(".."))
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' has an absolute path or '..'; entries must stay inside the checkpoint folder. Zip the folder itself.");
            if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymbolicLink)
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' is a symbolic link; links are not accepted. Zip the real files (zip without -y).");
            if (name.EndsWith('/'))
                continue;
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
        return files;
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
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            copied += read;
            if (copied > entry.Length || copied > limits.MaxEntryBytes || writtenBefore + copied > limits.MaxExtractedBytes)
                throw new UploadRejectedException($"Zip entry '{entry.FullName}' holds more data than it declares; the archive is corrupt or hostile.");
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return copied;
    }
}
