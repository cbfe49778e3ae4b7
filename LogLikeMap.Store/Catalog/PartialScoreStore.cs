using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>The scores of one chunk of an upload's texts, in the text set's position order from <paramref name="FirstPosition"/>.</summary>
public sealed record ScoredChunk(int ChunkIndex, int FirstPosition, double[] LogLikelihoods, int[] TokenCounts, string ScoredBy);

/// <summary>
/// Scores of an upload stored chunk by chunk as workers finish them (issue 12): a job taken over after its worker died
/// resumes by skipping the chunks already here, and the shards of one upload are joined from here. A chunk is stored at
/// most once: the table's key refuses a second copy, and the first stands.
/// </summary>
public sealed class PartialScoreStore(IDbContextFactory<StoreDbContext> contexts)
{
    /// <summary>The indices of the chunks of the upload already stored.</summary>
    public async Task<IReadOnlySet<int>> StoredChunksAsync(string uploadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await db.PartialScores.Where(p => p.UploadId == uploadId).Select(p => p.ChunkIndex).ToListAsync(ct)).ToHashSet();
    }

    /// <summary>
    /// Stores the chunk; false when it was stored already (by a worker whose job was thought orphaned while it still
    /// ran): the first copy stands, computed from the same checkpoint, texts and batching.
    /// </summary>
    public async Task<bool> AddAsync(string uploadId, ScoredChunk chunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.PartialScores.Add(new PartialScoreEntity
        {
            UploadId = uploadId, ChunkIndex = chunk.ChunkIndex, FirstPosition = chunk.FirstPosition,
            LogLikelihoods = VectorBlobs.FromDoubles(chunk.LogLikelihoods), TokenCounts = VectorBlobs.FromInts(chunk.TokenCounts),
            ScoredBy = chunk.ScoredBy, ScoredAt = DateTime.UtcNow,
        });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await IsStoredAsync(uploadId, chunk.ChunkIndex, ct))
                return false;
            throw;
        }
    }

    public async Task<bool> IsStoredAsync(string uploadId, int chunkIndex, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.PartialScores.AnyAsync(p => p.UploadId == uploadId && p.ChunkIndex == chunkIndex, ct);
    }

    /// <summary>Every stored chunk of the upload, by chunk index.</summary>
    public async Task<IReadOnlyList<ScoredChunk>> ReadAsync(string uploadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.PartialScores.AsNoTracking().Where(p => p.UploadId == uploadId).OrderBy(p => p.ChunkIndex).ToListAsync(ct);
        return [.. rows.Select(r => new ScoredChunk(r.ChunkIndex, r.FirstPosition, VectorBlobs.ToDoubles(r.LogLikelihoods), VectorBlobs.ToInts(r.TokenCounts), r.ScoredBy))];
    }

    public async Task DeleteAsync(string uploadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.PartialScores.Where(p => p.UploadId == uploadId).ExecuteDeleteAsync(ct);
    }
}
