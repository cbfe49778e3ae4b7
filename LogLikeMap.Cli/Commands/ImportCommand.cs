using System.CommandLine;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Formats.Pickles;
using LogLikeMap.Store;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap import --loglik FILE [--texts FILE] [--metadata FILE]... [--db PATH]</c>: imports a matrix (any
/// format <see cref="MatrixFiles"/> reads), its texts and model metadata into the store the web app uses. Importing
/// again updates the models in place. <c>--map-folder DIR</c> imports a whole map folder (texts, models, results).
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var loglik = new Option<string?>("--loglik")
        {
            Description = "The log-likelihood matrix: a paper pickle (.pkl), a folder of per-model results .jsonl, a .csv or a .json export.",
        };
        var texts = new Option<string?>("--texts")
        {
            Description = "The texts the models were scored on (the paper's JSON Lines: index, text, pile_set_name). Needed on the first import of a text set.",
        };
        var metadata = new Option<string[]>("--metadata")
        {
            Description = "Model metadata: models.jsonl, name_type_color_1018.pkl or model-data-1018.pkl. May be given several times.",
        };
        var mapFolder = new Option<string?>("--map-folder")
        {
            Description = "Import a map folder instead (texts.jsonl, models.jsonl, results/NAME.jsonl), as the demo map ships.",
        };
        var dtype = new Option<string>("--dtype")
        {
            Description = "The dtype the matrix was scored in, recorded with each vector (the paper's release: float16).",
            DefaultValueFactory = _ => "unknown",
        };
        var database = StoreArguments.DatabaseOption();
        var provider = StoreArguments.ProviderOption();

        var command = new Command("import", "Import a log-likelihood matrix, its texts and model metadata into the store (re-importing updates).")
        {
            loglik, texts, metadata, mapFolder, dtype, database, provider,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = StoreArguments.From(parse, database, provider);
            try
            {
                var factory = new StoreContextFactory(options);
                await factory.MigrateAsync(cancellationToken);
                var progress = new ConsoleImportProgress();
                ImportSummary summary;
                if (parse.GetValue(mapFolder) is { } folder)
                {
                    summary = await new MapFolderImporter(factory).ImportAsync(folder, progress, cancellationToken);
                }
                else if (parse.GetValue(loglik) is { } matrixPath)
                {
                    summary = await ImportMatrixAsync(factory, matrixPath, parse.GetValue(texts), parse.GetValue(metadata) ?? [], parse.GetValue(dtype)!, progress, cancellationToken);
                }
                else
                {
                    Console.Error.WriteLine("Give --loglik FILE (with --texts on the first import) or --map-folder DIR.");
                    return 2;
                }
                Console.WriteLine(
                    $"Imported {summary.ModelsAdded + summary.ModelsUpdated} models ({summary.ModelsAdded} new, {summary.ModelsUpdated} updated) " +
                    $"on text set '{summary.TextSet.Name}' ({summary.TextSet.TextCount} texts, hash {summary.TextSet.ContentHash[..12]}) into {StoreArguments.Describe(options)}." +
                    (summary.MetadataIgnored > 0 ? $" Metadata of {summary.MetadataIgnored} models not in the matrix was ignored." : ""));
                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or UnsafePickleException or IOException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"Import refused: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static async Task<ImportSummary> ImportMatrixAsync(
        StoreContextFactory factory, string matrixPath, string? textsPath, string[] metadataPaths, string dtype,
        IProgress<ImportProgress> progress, CancellationToken cancellationToken)
    {
        var matrix = MatrixFiles.Load(matrixPath, cancellationToken);
        var textSet = textsPath is null ? null : await TextSetFile.ReadAsync(textsPath, cancellationToken);
        var metadata = new List<ModelMetadata>();
        foreach (var path in metadataPaths)
            metadata.AddRange(await ModelMetadataFiles.ReadAsync(path, cancellationToken));
        var import = new MatrixImport(matrix, textSet, metadata)
        {
            TextSetName = textsPath is null ? "texts" : Path.GetFileNameWithoutExtension(textsPath),
            Dtype = dtype,
            ScorerVersion = $"imported from {Path.GetFileName(Path.TrimEndingDirectorySeparator(matrixPath))}",
        };
        return await new MatrixImporter(factory).ImportAsync(import, progress, cancellationToken);
    }

    /// <summary>Reports on stderr synchronously (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class ConsoleImportProgress : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => Console.Error.WriteLine($"  {value.ModelsDone}/{value.ModelCount} models written");
    }
}

/// <summary>The store options shared by the verbs that use the store: <c>--db</c> and <c>--provider</c>.</summary>
internal static class StoreArguments
{
    public static Option<string> DatabaseOption() => new("--db")
    {
        Description = $"The store: a SQLite file (default {StoreOptions.DefaultSqlitePath} under the working directory, the web app's default too) or, with --provider postgresql, a connection string.",
        DefaultValueFactory = _ => StoreOptions.DefaultSqlitePath,
    };

    public static Option<StoreProvider> ProviderOption() => new("--provider")
    {
        Description = "The database of the store: Sqlite (default) or PostgreSql.",
        DefaultValueFactory = _ => StoreProvider.Sqlite,
    };

    public static StoreOptions From(ParseResult parse, Option<string> database, Option<StoreProvider> provider)
    {
        var value = parse.GetValue(database)!;
        return parse.GetValue(provider) == StoreProvider.PostgreSql
            ? new StoreOptions { Provider = StoreProvider.PostgreSql, ConnectionString = value }
            : StoreOptions.ForSqliteFile(value);
    }

    /// <summary>Names the store for messages without printing a PostgreSQL password.</summary>
    public static string Describe(StoreOptions options) =>
        options.Provider == StoreProvider.Sqlite ? $"'{options.ConnectionString["Data Source=".Length..]}'" : "the PostgreSQL store";
}
