using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>
/// Uploaded archives kept in the database, so that scoring workers on other hosts reach them without a shared disk
/// (issue 12): 4 MiB chunks with a SHA-256 each and one of the whole, written in one transaction (a half-written upload
/// is never seen) and read back chunk by chunk into a worker's local file, every hash checked.
/// </summary>
public sealed class UploadStore(IDbContextFactory<StoreDbContext> contexts)
{
    /// <summary>Large enough that a 7B model is a few thousand rows, small enough that one row is cheap to hold and send.</summary>
    public const int ChunkBytes = 4 << 20;

    /// <summary>
    /// Stores the archive and its manifest under the upload id; returns the archive's SHA-256 (hex). The archive must be
    /// seekable: when the database drops out part-way, the write is rolled back and made again from its start.
    /// </summary>
    public Task<string> SaveAsync(string uploadId, string manifestJson, Stream archive, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (!archive.CanSeek)
            throw new ArgumentException("The archive must be seekable, so that a write interrupted by the database is made again from its start.", nameof(archive));
        var start = archive.Position;
        return contexts.InTransactionAsync(async db =>
        {
            // Stored whole already: a try whose commit took although its connection was lost before the reply.
            if (await db.StoredUploads.Where(u => u.UploadId == uploadId && u.Sha256 != "").Select(u => u.Sha256).SingleOrDefaultAsync(ct) is { } stored)
                return stored;
            archive.Position = start;
            var header = new StoredUploadEntity { UploadId = uploadId, ManifestJson = manifestJson, Sha256 = "", CreatedAt = DateTime.UtcNow };
            db.StoredUploads.Add(header);
            await db.SaveChangesAsync(ct);
            using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkBytes];
            var index = 0;
            long length = 0;
            int read;
            while ((read = await archive.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, ct)) > 0)
            {
                var bytes = buffer.AsSpan(0, read).ToArray();
                whole.AppendData(bytes);
                db.StoredUploadChunks.Add(new StoredUploadChunkEntity { UploadId = uploadId, ChunkIndex = index++, Bytes = bytes, Sha256 = Hex(SHA256.HashData(bytes)) });
                await db.SaveChangesAsync(ct);
                // Only one chunk is held at a time: the tracked rows are let go once written.
                db.ChangeTracker.Clear();
                length += read;
            }
            header.Sha256 = Hex(whole.GetHashAndReset());
            header.Length = length;
            header.ChunkCount = index;
            db.StoredUploads.Update(header);
            await db.SaveChangesAsync(ct);
            return header.Sha256;
        }, ct);
    }

    /// <summary>The manifest stored with the upload, or null when there is no such upload.</summary>
    public async Task<string?> ManifestAsync(string uploadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.StoredUploads.Where(u => u.UploadId == uploadId).Select(u => u.ManifestJson).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Writes the archive to <paramref name="path"/>, one chunk at a time, checking each chunk's hash and at the end the
    /// whole's: a damaged or incomplete copy is an error naming the upload and the chunk, never scored.
    /// </summary>
    public async Task CopyToFileAsync(string uploadId, string path, CancellationToken ct)
    {
        StoredUploadEntity header;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            header = await db.StoredUploads.AsNoTracking().SingleOrDefaultAsync(u => u.UploadId == uploadId, ct)
                ?? throw new InvalidDataException($"Upload {uploadId} is not in the store (it was deleted, or never finished storing). Upload it again.");
        }
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            for (var index = 0; index < header.ChunkCount; index++)
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var chunk = await db.StoredUploadChunks.AsNoTracking().SingleOrDefaultAsync(c => c.UploadId == uploadId && c.ChunkIndex == index, ct)
                    ?? throw new InvalidDataException($"Upload {uploadId} lacks chunk {index} of {header.ChunkCount} in the store. Upload it again.");
                if (Hex(SHA256.HashData(chunk.Bytes)) != chunk.Sha256)
                    throw new InvalidDataException($"Chunk {index} of upload {uploadId} does not match its SHA-256 in the store: the stored copy is damaged. Upload it again.");
                whole.AppendData(chunk.Bytes);
                await file.WriteAsync(chunk.Bytes, ct);
            }
        }
        if (Hex(whole.GetHashAndReset()) != header.Sha256)
            throw new InvalidDataException($"Upload {uploadId} put together from its {header.ChunkCount} chunks does not match its SHA-256: the stored copy is incomplete or damaged. Upload it again.");
    }

    /// <summary>Removes the archive's chunks and keeps the manifest, the record of what was uploaded (a placed upload).</summary>
    public async Task DeleteArchiveAsync(string uploadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.StoredUploadChunks.Where(c => c.UploadId == uploadId).ExecuteDeleteAsync(ct);
    }

    /// <summary>Removes the upload and its chunks (nothing when it is not there).</summary>
    public async Task DeleteAsync(string uploadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.StoredUploadChunks.Where(c => c.UploadId == uploadId).ExecuteDeleteAsync(ct);
        await db.StoredUploads.Where(u => u.UploadId == uploadId).ExecuteDeleteAsync(ct);
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
