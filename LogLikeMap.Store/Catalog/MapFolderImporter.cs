using LogLikeMap.Core.Formats;
using LogLikeMap.Store;
using LogLikeMap.Core.TextSets;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Store.Catalog;

/// <summary>
/// Imports a "map folder", the form the built-in demo map ships in:
/// <c>texts.jsonl</c> (the paper's text format), <c>models.jsonl</c> (one model a line, see
/// <see cref="ModelMetadataFiles"/>) and <c>results/NAME.jsonl</c> (the paper's results format, "/" in a name
/// written "__", see <see cref="ResultsFolder"/>). Every model of models.jsonl needs a results file and every
/// results file a line in models.jsonl.
/// </summary>
public sealed class MapFolderImporter(IDbContextFactory<StoreDbContext> store)
{
    public const string TextsFile = "texts.jsonl";
    public const string ModelsFile = "models.jsonl";
    public const string ResultsFolderName = "results";

    public async Task<ImportSummary> ImportAsync(string folder, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Map folder '{folder}' does not exist.");
        var texts = await TextSetFile.ReadAsync(Path.Combine(folder, TextsFile), cancellationToken);
        var models = await ModelMetadataFiles.ReadJsonLinesAsync(Path.Combine(folder, ModelsFile), cancellationToken);
        var results = Path.Combine(folder, ResultsFolderName);
        if (!Directory.Exists(results))
            throw new DirectoryNotFoundException($"Map folder '{folder}' has no '{ResultsFolderName}' folder of per-model results.");
        var matrix = ResultsFolder.Read(results, cancellationToken);

        var listed = models.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var missing = models.FirstOrDefault(m => !matrix.Matrix.ModelNames.Contains(m.Name));
        if (missing is not null)
            throw new InvalidDataException($"{Path.Combine(folder, ModelsFile)}: model '{missing.Name}' has no results file ({Path.Combine(results, ResultsFolder.FileNameOf(missing.Name))}).");
        var unlisted = matrix.Matrix.ModelNames.FirstOrDefault(name => !listed.Contains(name));
        if (unlisted is not null)
            throw new InvalidDataException($"{Path.Combine(results, ResultsFolder.FileNameOf(unlisted))}: model '{unlisted}' has no line in {ModelsFile}.");

        var import = new MatrixImport(matrix, texts, models)
        {
            TextSetName = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)),
            ScorerVersion = "map folder",
        };
        return await new MatrixImporter(store).ImportAsync(import, progress, cancellationToken);
    }

    /// <summary>
    /// Applies the store's migrations, then imports <paramref name="folder"/> when the store holds no model yet:
    /// the one call the web app makes on start. Returns null when the store already had models.
    /// </summary>
    public async Task<ImportSummary?> MigrateAndSeedIfEmptyAsync(string folder, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        await using (var db = await store.CreateDbContextAsync(cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
            if (await db.Models.AnyAsync(cancellationToken))
                return null;
        }
        return await ImportAsync(folder, progress, cancellationToken);
    }
}
