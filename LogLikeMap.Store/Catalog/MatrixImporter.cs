using LogLikeMap.Core.Formats;
using LogLikeMap.Store;
using LogLikeMap.Core.TextSets;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>What to import: a matrix read by <see cref="MatrixFiles.Load"/>, and optionally its texts and model metadata.</summary>
/// <param name="Matrix">The log-likelihoods, with their text indices (and token counts where the file has them).</param>
/// <param name="Texts">The texts the matrix was scored on. Without them the store must already hold exactly one text set with the matrix's indices.</param>
/// <param name="Metadata">Metadata of the matrix's models; entries for other models are ignored.</param>
public sealed record MatrixImport(LoadedMatrix Matrix, TextSet? Texts = null, IReadOnlyList<ModelMetadata>? Metadata = null)
{
    /// <summary>The name a new text set gets.</summary>
    public string TextSetName { get; init; } = "texts";

    /// <summary>The dtype the vectors were scored in, when known (the paper's release: "float16").</summary>
    public string Dtype { get; init; } = "unknown";

    public string ScorerVersion { get; init; } = "imported";
}

/// <param name="ModelsAdded">Models that were not in the store before.</param>
/// <param name="ModelsUpdated">Models already in the store whose vector and metadata were replaced.</param>
/// <param name="MetadataIgnored">Metadata entries for models that are not in the matrix.</param>
public sealed record ImportSummary(StoredTextSet TextSet, int ModelsAdded, int ModelsUpdated, int MetadataIgnored);

/// <summary>Progress of an import: models written so far of the total.</summary>
public readonly record struct ImportProgress(int ModelsDone, int ModelCount);

/// <summary>
/// Imports a matrix with its texts and metadata into the store in one transaction: nothing is stored when any
/// part is refused. Idempotent: importing the same data again changes nothing but the "scored at" times, and a
/// re-import with new values or metadata updates the models in place.
/// </summary>
public sealed class MatrixImporter(IDbContextFactory<StoreDbContext> store)
{
    private const int ModelsPerSave = 64;

    public async Task<ImportSummary> ImportAsync(MatrixImport import, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        var matrix = import.Matrix.Matrix;
        var metadata = (import.Metadata ?? []).GroupBy(m => m.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Aggregate((first, next) => first.CompletedBy(next)), StringComparer.Ordinal);

        // Counters and lookups start afresh in each try: a try the database interrupted is rolled back whole.
        return await store.InTransactionAsync(async db =>
        {
            var textSet = import.Texts is null
                ? await FindTextSetByIndicesAsync(db, import.Matrix.TextIndices, cancellationToken)
                : await TextSetCatalog.AddAsync(db, import.Texts, import.TextSetName, cancellationToken);
            var indices = await TextSetCatalog.IndicesAsync(db, textSet.Id, cancellationToken);
            var columnOf = new TextColumns(indices, textSet.Name).PositionsIn(import.Matrix.TextIndices, "The matrix");

            var existing = await db.Models.AsNoTracking().Select(m => m.Name).ToHashSetAsync(StringComparer.Ordinal, cancellationToken);
            int added = 0, updated = 0;
            for (var i = 0; i < matrix.ModelCount; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = matrix.ModelNames[i];
                var model = await ModelCatalog.FindOrAddModelAsync(db, metadata.GetValueOrDefault(name) ?? new ModelMetadata(name), cancellationToken);
                var row = matrix.Row(i);
                var values = new double[indices.Length];
                for (var s = 0; s < values.Length; s++)
                    values[s] = row[columnOf[s]];
                var tokens = import.Matrix.TokenCounts.TryGetValue(name, out var counts) ? columnOf.Select(c => counts[c]).ToArray() : null;
                await ModelCatalog.WriteVectorAsync(db, model, textSet.Id, values, tokens, import.Dtype, import.ScorerVersion, cancellationToken);
                if (existing.Contains(name))
                    updated++;
                else
                    added++;

                if ((i + 1) % ModelsPerSave == 0 || i + 1 == matrix.ModelCount)
                {
                    await db.SaveChangesAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                    progress?.Report(new ImportProgress(i + 1, matrix.ModelCount));
                }
            }
            var ignored = metadata.Keys.Count(name => !matrix.ModelNames.Contains(name));
            return new ImportSummary(textSet, added, updated, ignored);
        }, cancellationToken);
    }

    private static async Task<StoredTextSet> FindTextSetByIndicesAsync(StoreDbContext db, IReadOnlyList<long> matrixIndices, CancellationToken cancellationToken)
    {
        var wanted = matrixIndices.Order().ToArray();
        var matches = new List<StoredTextSet>();
        foreach (var set in await db.TextSets.AsNoTracking().Where(t => t.TextCount == wanted.Length).ToListAsync(cancellationToken))
        {
            if ((await TextSetCatalog.IndicesAsync(db, set.Id, cancellationToken)).SequenceEqual(wanted))
                matches.Add(TextSetCatalog.ToRecord(set));
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidDataException(
                $"The store has no text set with this matrix's {wanted.Length} texts. Pass the texts the models were scored on (--texts, the paper's JSON Lines) with the first import."),
            _ => throw new InvalidDataException(
                $"{matches.Count} stored text sets have this matrix's text indices ({string.Join(", ", matches.Select(m => m.Name))}); pass the texts (--texts) to say which."),
        };
    }
}
