using System.CommandLine;
using System.Text.Json;
using Hangfire;
using LogLikeMap.Scoring;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Store;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Uploads;
using LogLikeMap.Web.Workers;
using Microsoft.Extensions.Logging;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap queue --connection CONN [--shards K] FOLDER... | --manifest FILE</c>: queues checkpoints for the
/// scoring workers of a web app over that PostgreSQL database (issue 12), as the web upload does: each folder is checked,
/// stored in the database in chunks, and its scoring jobs are queued; the web app places each model when it is scored.
/// A manifest is JSON Lines, one checkpoint a line: <c>{"folder": "...", "name": "org/model", "family": "llama"}</c>
/// (name and family optional: the folder's name and the config's model_type).
/// </summary>
public static class QueueCommand
{
    private sealed record Entry(string Folder, string? Name, string? Family);

    public static Command Create()
    {
        var connection = new Option<string>("--connection") { Description = "The PostgreSQL connection string the web app and workers use.", Required = true };
        var folders = new Argument<string[]>("folders") { Description = "Checkpoint folders to queue.", Arity = ArgumentArity.ZeroOrMore };
        var manifest = new Option<string?>("--manifest") { Description = "A JSON Lines file of checkpoints: {\"folder\", \"name\", \"family\"} a line." };
        var name = new Option<string?>("--name") { Description = "The model's name on the map (one folder only; default: the folder's name)." };
        var family = new Option<string?>("--family") { Description = "The model's family (default: the config's model_type)." };
        var shards = new Option<int>("--shards") { Description = "Scoring jobs per checkpoint, for that many workers at once.", DefaultValueFactory = _ => 1 };
        var chunkTexts = new Option<int>("--chunk-texts") { Description = "Texts per stored chunk of scores.", DefaultValueFactory = _ => 64 };
        var dtype = new Option<ScoringPrecision>("--dtype") { Description = "float32 (the reference), bfloat16 or float16.", DefaultValueFactory = _ => ScoringPrecision.Float32 };
        var command = new Command("queue", "Queue checkpoint folders for the scoring workers of a web app on PostgreSQL.")
        {
            folders, connection, manifest, name, family, shards, chunkTexts, dtype,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var entries = Entries(parse.GetValue(folders) ?? [], parse.GetValue(manifest), parse.GetValue(name), parse.GetValue(family));
                if (parse.GetValue(shards) is < 1 or > 1024 || parse.GetValue(chunkTexts) < 1)
                    throw new ArgumentException("--shards must be 1 to 1024 and --chunk-texts at least 1.");
                await QueueAsync(parse.GetValue(connection)!, entries, parse.GetValue(shards), parse.GetValue(chunkTexts), parse.GetValue(dtype),
                    parse.InvocationConfiguration.Output, cancellationToken);
                return 0;
            }
            catch (Exception ex) when (ex is UploadRejectedException or CheckpointException or InvalidDataException or IOException or InvalidOperationException
                or ArgumentException or JsonException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"Queue failed: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static IReadOnlyList<Entry> Entries(string[] folders, string? manifest, string? name, string? family)
    {
        if ((folders.Length == 0) == (manifest is null))
            throw new ArgumentException("Give checkpoint folders or --manifest FILE (one of the two).");
        if (name is not null && folders.Length != 1)
            throw new ArgumentException("--name names one model: give exactly one folder with it.");
        if (manifest is null)
            return [.. folders.Select(f => new Entry(f, name, family))];
        return [.. File.ReadLines(manifest).Select((line, i) => (line, i)).Where(l => l.line.Trim().Length > 0).Select(l =>
            JsonSerializer.Deserialize<Entry>(l.line, new JsonSerializerOptions(JsonSerializerDefaults.Web)) is { Folder: not null } entry
                ? entry with { Family = entry.Family ?? family }
                : throw new InvalidDataException($"{manifest} line {l.i + 1}: expected {{\"folder\": \"...\", \"name\": \"...\", \"family\": \"...\"}}."))];
    }

    /// <summary>Queues each checkpoint; writes a line per checkpoint: its name, upload id and job ids.</summary>
    private static async Task QueueAsync(
        string connection, IReadOnlyList<Entry> entries, int shards, int chunkTexts, ScoringPrecision dtype, TextWriter output, CancellationToken ct)
    {
        // The store's retries of an unreachable database (about two minutes) are told on standard error, not waited out in silence.
        using var loggers = LoggerFactory.Create(logging => logging
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        var store = new StoreContextFactory(new StoreOptions { Provider = StoreProvider.PostgreSql, ConnectionString = connection }, loggers);
        await store.MigrateAsync(ct);
        var textSet = await new TextSetCatalog(store).CurrentAsync(ct)
            ?? throw new InvalidOperationException("The store holds no text set yet: start the web app on this database once (it imports its map), or import one.");
        var onMap = (await new ModelCatalog(store).ListModelsAsync(ct)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        GlobalConfiguration.Configuration.UseJobSerialization();
        var storage = JobStorages.Create(new JobsOptions { Storage = JobStorageKind.PostgreSql, ConnectionString = connection }, Path.GetTempPath());
        var uploads = new SharedUploads(new UploadStore(store), new PartialScoreStore(store), new BackgroundJobClient(storage));
        var scratch = Directory.CreateTempSubdirectory("loglikemap-queue-").FullName;
        try
        {
            foreach (var entry in entries)
            {
                var folder = Path.GetFullPath(entry.Folder);
                var architecture = CheckpointCheck.Check(folder, entry.Folder, new JobsOptions());
                var modelName = entry.Name ?? Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar));
                var modelFamily = entry.Family ?? architecture;
                if ((ModelNameRules.NameProblem(modelName) ?? ModelNameRules.FamilyProblem(modelFamily)) is { } problem)
                    throw new ArgumentException($"{entry.Folder}: {problem}");
                if (onMap.Contains(modelName))
                    throw new ArgumentException($"{entry.Folder}: {ModelNameRules.AlreadyOnMap(modelName)}");
                var upload = new UploadManifest(Guid.NewGuid().ToString("N"), UploadKind.Checkpoint, modelName, modelFamily, architecture, null, DateTimeOffset.UtcNow);
                var stored = new StoredUploadManifest(upload, textSet.Id, textSet.TextCount, chunkTexts, shards, dtype);
                var jobs = await uploads.QueueCheckpointAsync(stored, folder, scratch, ct);
                await output.WriteLineAsync($"{modelName}\tupload {upload.UploadId}\tjobs {string.Join(',', jobs)}");
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
