using System.Text.Json.Nodes;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Store;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>Models and their score vectors: add or replace one model's vector, read a text set's whole matrix.</summary>
public sealed class ModelCatalog(IDbContextFactory<StoreDbContext> store)
{
    /// <summary>
    /// Stores (or replaces) one model's log-likelihood vector on the text set it was scored on, creating the model
    /// or updating its metadata. Refused when the store has no text set with <see cref="ScoredModel.TextSetHash"/>
    /// or when the scores do not cover exactly that set's texts.
    /// </summary>
    public async Task<StoredModel> AddOrReplaceScoresAsync(ScoredModel scored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scored);
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var textSet = await db.TextSets.AsNoTracking().SingleOrDefaultAsync(t => t.ContentHash == scored.TextSetHash, cancellationToken);
        if (textSet is null)
        {
            var stored = await db.TextSets.AsNoTracking().Select(t => t.Name + " (" + t.ContentHash + ")").ToListAsync(cancellationToken);
            throw new InvalidDataException(
                $"Model '{scored.Model.Name}' was scored on text set {scored.TextSetHash}, which is not in the store " +
                $"(it holds: {(stored.Count == 0 ? "none" : string.Join(", ", stored))}). " +
                "Vectors are only combined when scored on the same texts: score the model on the store's text set.");
        }

        var indices = await TextSetCatalog.IndicesAsync(db, textSet.Id, cancellationToken);
        var aligned = new TextColumns(indices, textSet.Name).Align(scored.Scores, $"Model '{scored.Model.Name}'");

        var model = await FindOrAddModelAsync(db, scored.Model, cancellationToken);
        await WriteVectorAsync(db, model, textSet.Id, aligned.LogLikelihoods, aligned.TokenCounts, scored.Dtype, scored.ScorerVersion, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return ToRecord(model);
    }

    /// <summary>Every model of the store, in ordinal name order.</summary>
    public async Task<IReadOnlyList<StoredModel>> ListModelsAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var models = await db.Models.AsNoTracking().ToListAsync(cancellationToken);
        return [.. models.Select(ToRecord).OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    /// <summary>Deletes a model with its score vectors and layout points; false when there is no such model.</summary>
    public async Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        return await db.Models.Where(m => m.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>
    /// The matrix of all models scored on a text set: rows in ordinal model-name order (stable across reads and
    /// database providers), columns in text-index order.
    /// </summary>
    public async Task<StoredMatrix> ReadMatrixAsync(int textSetId, CancellationToken cancellationToken)
    {
        await using var db = await store.CreateDbContextAsync(cancellationToken);
        var textSet = await db.TextSets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == textSetId, cancellationToken)
            ?? throw new KeyNotFoundException($"Text set {textSetId} is not in the store.");
        var indices = await TextSetCatalog.IndicesAsync(db, textSetId, cancellationToken);
        var vectors = await db.ScoreVectors.AsNoTracking()
            .Where(v => v.TextSetId == textSetId)
            .Include(v => v.Model)
            .ToListAsync(cancellationToken);
        if (vectors.Count == 0)
            throw new InvalidOperationException($"No model is scored on text set '{textSet.Name}' yet; import a matrix first.");
        vectors.Sort((a, b) => string.CompareOrdinal(a.Model.Name, b.Model.Name));

        var n = indices.Length;
        var values = new double[(long)vectors.Count * n];
        for (var i = 0; i < vectors.Count; i++)
        {
            var row = VectorBlobs.ToDoubles(vectors[i].LogLikelihoods);
            if (row.Length != n)
                throw new InvalidDataException($"The stored vector of model '{vectors[i].Model.Name}' has {row.Length} values, text set '{textSet.Name}' has {n} texts.");
            row.CopyTo(values, (long)i * n);
        }
        var models = vectors.Select(v => ToRecord(v.Model)).ToList();
        var matrix = new LogLikelihoodMatrix([.. models.Select(m => m.Name)], n, values);
        return new StoredMatrix(TextSetCatalog.ToRecord(textSet), models, indices, matrix);
    }

    internal static async Task<ModelEntity> FindOrAddModelAsync(StoreDbContext db, ModelMetadata metadata, CancellationToken cancellationToken)
    {
        var model = await db.Models.SingleOrDefaultAsync(m => m.Name == metadata.Name, cancellationToken);
        if (model is null)
        {
            model = new ModelEntity { Name = metadata.Name, AddedAt = DateTime.UtcNow };
            db.Models.Add(model);
        }
        ApplyMetadata(model, metadata);
        return model;
    }

    /// <summary>Known fields replace stored ones; extra fields are merged key by key.</summary>
    internal static void ApplyMetadata(ModelEntity model, ModelMetadata metadata)
    {
        if (string.IsNullOrWhiteSpace(metadata.Name))
            throw new InvalidDataException("A model needs a name.");
        model.Family = metadata.Family ?? model.Family;
        model.Architecture = metadata.Architecture ?? model.Architecture;
        model.ParameterCount = metadata.ParameterCount ?? model.ParameterCount;
        model.Source = metadata.Source ?? model.Source;
        model.CreatedAt = metadata.CreatedAt ?? model.CreatedAt;
        if (metadata.Extra is { Count: > 0 } extra)
        {
            var merged = model.MetadataJson is null ? [] : JsonNode.Parse(model.MetadataJson)!.AsObject();
            foreach (var (key, value) in extra)
                merged[key] = value?.DeepClone();
            model.MetadataJson = merged.ToJsonString();
        }
    }

    internal static async Task WriteVectorAsync(
        StoreDbContext db, ModelEntity model, int textSetId, double[] values, int[]? tokenCounts, string dtype, string scorerVersion,
        CancellationToken cancellationToken)
    {
        var vector = model.Id == 0
            ? null
            : await db.ScoreVectors.SingleOrDefaultAsync(v => v.ModelId == model.Id && v.TextSetId == textSetId, cancellationToken);
        if (vector is null)
        {
            vector = new ScoreVectorEntity { TextSetId = textSetId, LogLikelihoods = [], Dtype = dtype, ScorerVersion = scorerVersion };
            model.ScoreVectors.Add(vector);
        }
        vector.LogLikelihoods = VectorBlobs.FromDoubles(values);
        vector.TokenCounts = tokenCounts is null ? null : VectorBlobs.FromInts(tokenCounts);
        vector.Dtype = dtype;
        vector.ScorerVersion = scorerVersion;
        vector.ScoredAt = DateTime.UtcNow;
    }

    internal static StoredModel ToRecord(ModelEntity m) => new(
        m.Id, m.Name, m.Family, m.Architecture, m.ParameterCount, m.Source, m.CreatedAt,
        m.MetadataJson is null ? null : JsonNode.Parse(m.MetadataJson)!.AsObject(), m.AddedAt);
}
