using System.Text.Json.Nodes;
using LogLikeMap.Store;
using LogLikeMap.Core.TextSets;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>The text sets of the store. A text set is identified by its content hash; adding the same texts twice keeps one.</summary>
public sealed class TextSetCatalog(IDbContextFactory<StoreDbContext> store)
{
    /// <summary>Adds the texts unless a text set with the same content hash is stored; returns the stored one.</summary>
    public async Task<StoredTextSet> AddAsync(TextSet texts, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        return await AddAsync(db, texts, name, cancellationToken);
    }

    public async Task<StoredTextSet?> FindByHashAsync(string contentHash, CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var entity = await db.TextSets.AsNoTracking().SingleOrDefaultAsync(t => t.ContentHash == contentHash, cancellationToken);
        return entity is null ? null : ToRecord(entity);
    }

    /// <summary>The current text set: the one added last (the map the app shows).</summary>
    public async Task<StoredTextSet?> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var entity = await db.TextSets.AsNoTracking().OrderByDescending(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        return entity is null ? null : ToRecord(entity);
    }

    public async Task<IReadOnlyList<StoredTextSet>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var entities = await db.TextSets.AsNoTracking().OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return [.. entities.Select(ToRecord)];
    }

    /// <summary>The texts of a stored text set, with their domains and extra fields.</summary>
    public async Task<TextSet> LoadTextsAsync(int textSetId, CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var texts = await db.Texts.AsNoTracking().Where(t => t.TextSetId == textSetId).OrderBy(t => t.Position).ToListAsync(cancellationToken);
        if (texts.Count == 0)
            throw new KeyNotFoundException($"Text set {textSetId} is not in the store.");
        return new TextSet(texts.Select(t => new TextRecord(
            t.Index, t.Text, t.Domain, t.ExtraJson is null ? null : JsonNode.Parse(t.ExtraJson)!.AsObject())));
    }

    internal static async Task<StoredTextSet> AddAsync(StoreDbContext db, TextSet texts, string name, CancellationToken cancellationToken)
    {
        var existing = await db.TextSets.AsNoTracking().SingleOrDefaultAsync(t => t.ContentHash == texts.ContentHash, cancellationToken);
        if (existing is not null)
            return ToRecord(existing);

        var entity = new TextSetEntity
        {
            Name = name,
            ContentHash = texts.ContentHash,
            TextCount = texts.Count,
            MeanByteLength = texts.MeanByteLength,
            CreatedAt = DateTime.UtcNow,
            Texts = [.. texts.Texts.Select((t, position) => new TextEntity
            {
                Position = position,
                Index = t.Index,
                Text = t.Text,
                Domain = t.Domain,
                ByteLength = t.ByteLength,
                ExtraJson = t.ExtraFields?.ToJsonString(),
            })],
        };
        db.TextSets.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return ToRecord(entity);
    }

    /// <summary>The text indices of a stored set in column (position) order.</summary>
    internal static async Task<long[]> IndicesAsync(StoreDbContext db, int textSetId, CancellationToken cancellationToken) =>
        await db.Texts.AsNoTracking().Where(t => t.TextSetId == textSetId).OrderBy(t => t.Position).Select(t => t.Index).ToArrayAsync(cancellationToken);

    internal static StoredTextSet ToRecord(TextSetEntity e) => new(e.Id, e.Name, e.ContentHash, e.TextCount, e.MeanByteLength, e.CreatedAt);
}
