using System.Text.Json.Nodes;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Store;
using LogLikeMap.Web.Options;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Every change to the map goes through here, one at a time, store first, then memory: load at start (migrate,
/// seed the demo map into an empty store, redraw the stored layout), prepare its neighbour index, place a scored
/// model, remove a model, refresh the whole layout. Each publishes a new <see cref="MapState"/> and awaits the
/// pages it notifies before the next change starts, so they hear of changes in the order they happened.
/// </summary>
public sealed class MapMaintenance(
    ModelMapService map, DataPaths paths, StoreContextFactory store, MapFolderImporter importer, TextSetCatalog textSets, ModelCatalog models,
    LayoutCatalog layouts, IOptions<MapOptions> mapOptions, ILogger<MapMaintenance> logger) : IModelRemoval
{
    /// <summary>Configuration section "Map"; the defaults are the paper's: clip 2%, perplexity 30, PCA start, seed 42.</summary>
    private readonly MapOptions _options = mapOptions.Value;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private int _layoutId;

    public async Task LoadAsync(CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        if (Directory.Exists(paths.DemoMapFolder))
        {
            if (await importer.MigrateAndSeedIfEmptyAsync(paths.DemoMapFolder, null, ct) is { } seeded)
                logger.LogInformation("Seeded the empty store with {Models} models from {Folder}.", seeded.ModelsAdded, paths.DemoMapFolder);
        }
        else
        {
            await store.MigrateAsync(ct);
            logger.LogWarning("The demo map folder {Folder} does not exist; an empty store stays empty.", paths.DemoMapFolder);
        }
        await ExclusiveAsync(() => RebuildAsync(newLayout: false, null, ct), ct);
        ReturnFreedMemory();
        logger.LogInformation("Map of {Models} models x {Texts} texts shown in {Elapsed}.",
            map.Current.Models.Count, map.Current.TextCount, TimeProvider.System.GetElapsedTime(started));
    }

    /// <summary>
    /// Builds the Gram matrix of the shown layout when it has none (a layout redrawn from the store by
    /// <see cref="LoadAsync"/>): the map answers meanwhile and neighbour queries say they are being prepared. At
    /// 1,018 models x 10,000 texts this is ~5e9 multiply-adds (about a second on 2 cores) that a restart need not wait for.
    /// </summary>
    public async Task PrepareNeighboursAsync(CancellationToken ct)
    {
        if (map.State.Map is not { LaidOut: { } laidOut, Distances: null })
            return;
        var started = TimeProvider.System.GetTimestamp();
        var distances = await Task.Run(() => SquaredDistances.Build(laidOut, ct), ct);
        var published = await ExclusiveAsync(async () =>
        {
            // Placing or removing models keeps the layout; a refresh meanwhile brought its own distances.
            var current = map.State;
            if (!ReferenceEquals(current.LaidOut, laidOut))
                return false;
            await map.PublishAsync(current.With(current.Map.WithDistances(distances)));
            return true;
        }, ct);
        ReturnFreedMemory();
        if (published)
        {
            logger.LogInformation("Neighbour index of {Models} models x {Texts} texts ready in {Elapsed}.",
                laidOut.ModelCount, laidOut.TextCount, TimeProvider.System.GetElapsedTime(started));
        }
    }

    /// <summary>Recomputes clipping, centering and the t-SNE layout over every stored model; stores it as a new version.</summary>
    public async Task RefreshAsync(IProgress<MapProgress>? progress, CancellationToken ct)
    {
        await ExclusiveAsync(() => RebuildAsync(newLayout: true, progress, ct), ct);
        ReturnFreedMemory();
    }

    /// <summary>
    /// Building a map goes through several arrays the size of the matrix (stored, clipped, centred: 80 MB each at
    /// 1,018 x 10,000) and keeps one. The server GC keeps the space they leave committed in case it is needed again,
    /// which for a map built at start and on each refresh is never soon; an aggressive collection hands it back to
    /// the system (at 1,018 x 10,000, resident memory fell from about 635 to 275 MiB) for tens of milliseconds.
    /// </summary>
    private static void ReturnFreedMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>
    /// Stores a scored model and places it next to the others without moving them. Placing a model that is
    /// already on the map does nothing (false): a job that runs twice places once.
    /// </summary>
    public Task<bool> PlaceAsync(ModelMetadata model, IReadOnlyList<TextScore> scores, string dtype, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ExclusiveAsync(async () =>
        {
            var state = map.State;
            if (state.Contains(model.Name))
                return false;
            var textSet = await textSets.CurrentAsync(ct) ?? throw new InvalidOperationException("The store holds no text set to place models on.");
            await models.AddOrReplaceScoresAsync(new ScoredModel(model, textSet.ContentHash, scores, dtype, "loglikemap web"), ct);
            var vector = new TextColumns(state.Texts.Indices, state.Texts.Name).Align(scores, $"Model '{model.Name}'").LogLikelihoods;
            var placed = await Task.Run(() => state.Map.Place(model.Name, vector, null, ct), ct);
            var point = placed.Models[^1].Position;
            await layouts.PlaceAsync(_layoutId, new LayoutPoint(model.Name, point.X, point.Y, Provisional: true), ct);
            await map.PublishAsync(state.With(placed, WithCard(state, CardOf(model, vector))));
            return true;
        }, ct);
    }

    /// <summary>Deletes a model from the store and the map; false when there is none of that name.</summary>
    public Task<bool> RemoveAsync(string name, CancellationToken ct) => ExclusiveAsync(async () =>
    {
        if (!await models.DeleteModelAsync(name, ct))
            return false;
        await map.PublishAsync(map.State.With(map.State.Map.Remove(name)));
        return true;
    }, ct);

    /// <summary>
    /// Builds the map from the store. With a stored layout (and <paramref name="newLayout"/> false) it is redrawn as
    /// stored: its models from their stored points, provisional ones placed where they were, models stored since
    /// placed now. Otherwise t-SNE lays out every model and the layout is stored as the next version.
    /// </summary>
    private async Task RebuildAsync(bool newLayout, IProgress<MapProgress>? progress, CancellationToken ct)
    {
        if (await textSets.CurrentAsync(ct) is not { } textSet)
        {
            await map.PublishAsync(MapState.Empty);
            return;
        }
        var stored = await models.ReadMatrixAsync(textSet.Id, ct);
        var texts = await TextsOfAsync(textSet, stored.TextIndices, ct);
        var cards = stored.Models.Select((m, i) => CardOf(m, stored.Matrix.Row(i))).ToArray();
        var cardsByName = cards.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var layout = newLayout ? null : await layouts.LoadLatestAsync(textSet.Id, ct);
        if (layout is null)
        {
            if (cards.Length < 3)
                throw new InvalidOperationException($"A map needs at least 3 models; the store holds {cards.Length} for text set '{textSet.Name}'.");
            var built = await Task.Run(() => LiveMap.LayOut(stored.Matrix, texts.Domains, _options, progress, ct), ct);
            var saved = await layouts.SaveAsync(textSet.Id, LayoutParameters.Of(_options), built.LaidOut!.ClipThreshold, built.LaidOut.ColumnMeans.ToArray(),
                [.. built.Models.Select(m => new LayoutPoint(m.Name, m.Position.X, m.Position.Y, Provisional: false))], ct);
            _layoutId = saved.Id;
            await map.PublishAsync(new MapState(built, cardsByName, texts, saved.Version));
            return;
        }

        // The stored layout's own threshold and column means, never recomputed: after a deletion the remaining
        // models' percentile differs, and every q would shift (docs/method.md §1.3).
        var points = layout.Points.ToDictionary(p => p.Model, StringComparer.Ordinal);
        var laidOut = Enumerable.Range(0, cards.Length).Where(i => points.TryGetValue(cards[i].Name, out var p) && !p.Provisional).ToArray();
        var live = LiveMap.Redraw(Rows(stored.Matrix, laidOut), layout.ClipThreshold, layout.ColumnMeans,
            [.. laidOut.Select(i => new MapPoint(points[cards[i].Name].X, points[cards[i].Name].Y))], texts.Domains, _options);
        foreach (var i in Enumerable.Range(0, cards.Length).Except(laidOut))
        {
            MapPoint? where = points.TryGetValue(cards[i].Name, out var p) ? new MapPoint(p.X, p.Y) : null;
            live = live.Place(cards[i].Name, stored.Matrix.Row(i), where, ct);
            if (where is null)
            {
                var point = live.Models[^1].Position;
                await layouts.PlaceAsync(layout.Id, new LayoutPoint(cards[i].Name, point.X, point.Y, Provisional: true), ct);
            }
        }
        _layoutId = layout.Id;
        await map.PublishAsync(new MapState(live, cardsByName, texts, layout.Version));
    }

    private async Task<MapText> TextsOfAsync(StoredTextSet textSet, IReadOnlyList<long> columns, CancellationToken ct)
    {
        var domains = (await textSets.LoadTextsAsync(textSet.Id, ct)).Texts.ToDictionary(t => t.Index, t => t.Domain);
        return new MapText(textSet.Id, textSet.Name, columns, [.. columns.Select(i => domains.GetValueOrDefault(i))], textSet.MeanByteLength);
    }

    /// <summary>The given rows (ascending) of the matrix; all of them (the usual restart) without a copy.</summary>
    private static LogLikelihoodMatrix Rows(LogLikelihoodMatrix matrix, int[] rows)
    {
        if (rows.Length == matrix.ModelCount)
            return matrix;
        var n = matrix.TextCount;
        var values = new double[(long)rows.Length * n];
        for (var r = 0; r < rows.Length; r++)
            matrix.Row(rows[r]).CopyTo(values.AsSpan(r * n, n));
        return new LogLikelihoodMatrix([.. rows.Select(r => matrix.ModelNames[r])], n, values);
    }

    private static Dictionary<string, ModelCard> WithCard(MapState state, ModelCard card)
    {
        var cards = state.Snapshot.Models.ToDictionary(m => m.Name,
            m => new ModelCard(m.Name, m.Family, m.Architecture, m.Parameters, m.Created, m.MeanLogLikelihood, m.Change, m.Data, m.Checkpoint, m.Grid), StringComparer.Ordinal);
        cards[card.Name] = card;
        return cards;
    }

    private static ModelCard CardOf(StoredModel m, ReadOnlySpan<double> logLikelihoods) =>
        new(m.Name, m.Family ?? "unknown", m.Architecture, m.ParameterCount, m.CreatedAt is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : null,
            Mean(logLikelihoods), TextField(m.Metadata, "change"), TextField(m.Metadata, "data"), CheckpointOf(m.Metadata), GridOf(m.Metadata));

    private static ModelCard CardOf(ModelMetadata m, ReadOnlySpan<double> logLikelihoods) =>
        new(m.Name, m.Family ?? "unknown", m.Architecture, m.ParameterCount, m.CreatedAt is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : null,
            Mean(logLikelihoods), TextField(m.Extra, "change"), TextField(m.Extra, "data"), CheckpointOf(m.Extra), GridOf(m.Extra));

    /// <summary>The run and step of a checkpoint card (the zoo's base runs), or null when the card does not give both.</summary>
    private static RunStep? CheckpointOf(JsonObject? metadata) =>
        TextField(metadata, "run") is { } run && metadata?["step"] is JsonValue step && step.TryGetValue<long>(out var value) ? new RunStep(run, value) : null;

    /// <summary>
    /// The place of an interpolation-grid model (the zoo's cards: <c>sources</c> [base, first, second], <c>grid_a</c>,
    /// <c>grid_b</c>), or null when the card does not give all of them.
    /// </summary>
    private static GridWeights? GridOf(JsonObject? metadata) =>
        metadata?["sources"] is JsonArray { Count: 3 } sources
        && sources.Select(s => s is JsonValue v && v.TryGetValue<string>(out var name) ? name : null).ToList() is [{ } w0, { } w1, { } w2]
        && metadata["grid_a"] is JsonValue a && a.TryGetValue<double>(out var alpha)
        && metadata["grid_b"] is JsonValue b && b.TryGetValue<double>(out var beta)
            ? new GridWeights(w0, w1, w2, alpha, beta)
            : null;

    /// <summary>A text field of the free-form metadata (the zoo's <c>change</c> and <c>data</c>), or null.</summary>
    private static string? TextField(JsonObject? metadata, string key) =>
        metadata?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The mean log-likelihood per text, before clipping (docs/method.md §3.4).</summary>
    private static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var value in values)
            sum += value;
        return sum / values.Length;
    }

    private async Task<T> ExclusiveAsync<T>(Func<Task<T>> change, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            return await change();
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private Task ExclusiveAsync(Func<Task> change, CancellationToken ct) =>
        ExclusiveAsync(async () =>
        {
            await change();
            return true;
        }, ct);
}
