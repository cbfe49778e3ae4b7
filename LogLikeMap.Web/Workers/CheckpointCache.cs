using System.IO.Compression;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Workers;

/// <summary>
/// A worker's local copies of stored uploads, <c>DataFolder/cache/ID/</c>: the archive is streamed from the store chunk
/// by chunk with every hash checked (<see cref="UploadStore.CopyToFileAsync"/>), extracted beside, and renamed into
/// place only when complete, so a worker killed half-way leaves nothing that looks usable.
/// </summary>
public sealed class CheckpointCache(UploadStore uploads, DataPaths paths)
{
    private string Root => Path.Combine(paths.DataFolder, "cache");

    /// <summary>The checkpoint folder of the upload on this host, fetched from the store first if need be.</summary>
    public async Task<string> CheckpointAsync(string uploadId, CancellationToken ct)
    {
        var final = Path.Combine(Root, uploadId);
        if (Directory.Exists(final))
            return final;
        Directory.CreateDirectory(Root);
        var partial = Path.Combine(Root, $"{uploadId}.{Guid.NewGuid():N}.partial");
        var archive = partial + ".zip";
        try
        {
            await uploads.CopyToFileAsync(uploadId, archive, ct);
            // The archive was written by the web app from a checkpoint it had extracted with its zip limits and checked
            // (UploadService), and its SHA-256 matched: it is ours, so the plain extractor is enough here.
            await ZipFile.ExtractToDirectoryAsync(archive, partial, ct);
            try
            {
                Directory.Move(partial, final);
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Another process of this host fetched it at the same time; its copy is as good.
            }
            return final;
        }
        finally
        {
            File.Delete(archive);
            if (Directory.Exists(partial))
                Directory.Delete(partial, recursive: true);
        }
    }

    /// <summary>Removes the local copy once the upload is scored.</summary>
    public void Forget(string uploadId)
    {
        var final = Path.Combine(Root, uploadId);
        if (Directory.Exists(final))
            Directory.Delete(final, recursive: true);
    }
}
