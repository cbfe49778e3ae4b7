using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Map;
using LogLikeMap.Store;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>Stored map layouts: each full layout is a new version; single models can be placed provisionally in between.</summary>
public sealed class LayoutCatalog(IDbContextFactory<StoreDbContext> store)
{
    /// <summary>
    /// Stores a full layout of a text set's models as the next version, with the clip threshold and column means of
    /// its Q: both belong to the layout and are reused, never recomputed (docs/method.md §1.3).
    /// </summary>
    public async Task<StoredLayout> SaveAsync(
        int textSetId, LayoutParameters parameters, double clipThreshold, double[]? columnMeans, IReadOnlyList<LayoutPoint> points,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(points);
        if (!double.IsFinite(clipThreshold))
            throw new ArgumentOutOfRangeException(nameof(clipThreshold), clipThreshold, "The clip threshold must be a finite number.");
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        if (!await db.TextSets.AnyAsync(t => t.Id == textSetId, cancellationToken))
            throw new KeyNotFoundException($"Text set {textSetId} is not in the store.");
        var duplicate = points.GroupBy(p => p.Model, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Model '{duplicate.Key}' appears twice in the layout.", nameof(points));
        var ids = await ModelIdsAsync(db, points.Select(p => p.Model), cancellationToken);

        var version = (await db.Layouts.Where(l => l.TextSetId == textSetId).MaxAsync(l => (int?)l.Version, cancellationToken) ?? 0) + 1;
        var layout = new MapLayoutEntity
        {
            TextSetId = textSetId,
            Version = version,
            ParametersJson = parameters.ToJson(),
            ClipThreshold = clipThreshold,
            ColumnMeans = columnMeans is null ? null : VectorBlobs.FromDoubles(columnMeans),
            CreatedAt = DateTime.UtcNow,
            Points = [.. points.Select(p => new LayoutPointEntity { ModelId = ids[p.Model], X = p.X, Y = p.Y, Provisional = p.Provisional })],
        };
        db.Layouts.Add(layout);
        await db.SaveChangesAsync(cancellationToken);
        return new StoredLayout(layout.Id, textSetId, version, parameters, clipThreshold, columnMeans, layout.CreatedAt, points);
    }

    /// <summary>The newest layout of a text set, or null when none was computed yet.</summary>
    public async Task<StoredLayout?> LoadLatestAsync(int textSetId, CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var layout = await db.Layouts.AsNoTracking()
            .Where(l => l.TextSetId == textSetId)
            .OrderByDescending(l => l.Version)
            .Include(l => l.Points).ThenInclude(p => p.Model)
            .AsSplitQuery()
            .FirstOrDefaultAsync(cancellationToken);
        if (layout is null)
            return null;
        var points = layout.Points
            .Select(p => new LayoutPoint(p.Model.Name, p.X, p.Y, p.Provisional))
            .OrderBy(p => p.Model, StringComparer.Ordinal)
            .ToList();
        return new StoredLayout(layout.Id, layout.TextSetId, layout.Version, LayoutParameters.FromJson(layout.ParametersJson), layout.ClipThreshold,
            layout.ColumnMeans is null ? null : VectorBlobs.ToDoubles(layout.ColumnMeans), layout.CreatedAt, points);
    }

    /// <summary>
    /// Adds or moves one model's point in an existing layout without touching the others (a new model placed
    /// against the fixed map); such points are normally provisional.
    /// </summary>
    public async Task PlaceAsync(int layoutId, LayoutPoint point, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(point);
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        if (!await db.Layouts.AnyAsync(l => l.Id == layoutId, cancellationToken))
            throw new KeyNotFoundException($"Layout {layoutId} is not in the store.");
        var modelId = (await ModelIdsAsync(db, [point.Model], cancellationToken))[point.Model];
        var entity = await db.LayoutPoints.SingleOrDefaultAsync(p => p.LayoutId == layoutId && p.ModelId == modelId, cancellationToken);
        if (entity is null)
        {
            entity = new LayoutPointEntity { LayoutId = layoutId, ModelId = modelId };
            db.LayoutPoints.Add(entity);
        }
        entity.X = point.X;
        entity.Y = point.Y;
        entity.Provisional = point.Provisional;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<Dictionary<string, int>> ModelIdsAsync(StoreDbContext db, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var ids = await db.Models.AsNoTracking().Where(m => wanted.Contains(m.Name)).ToDictionaryAsync(m => m.Name, m => m.Id, cancellationToken);
        var unknown = wanted.FirstOrDefault(name => !ids.ContainsKey(name));
        return unknown is null
            ? ids
            : throw new KeyNotFoundException($"Model '{unknown}' is not in the store; import or score it before placing it on a layout.");
    }
}
