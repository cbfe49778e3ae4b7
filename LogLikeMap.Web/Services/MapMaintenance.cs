using LogLikeMap.Core.Map;
using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Every change to the map goes through here, one at a time: load at start, place a scored model, remove a
/// model, refresh the whole layout. Each builds a new <see cref="MapState"/> and publishes it.
/// </summary>
public sealed class MapMaintenance(ModelMapService map, DataPaths paths, ILogger<MapMaintenance> logger)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private List<ModelCard> _cards = [];
    private List<double[]> _raw = [];

    /// <summary>The engine's defaults are the paper's (clip 2%, perplexity 30, PCA start, seed 42).</summary>
    private static readonly MapOptions Options = new();

    public async Task LoadAsync(CancellationToken ct)
    {
        if (!Directory.Exists(paths.DemoMapFolder))
        {
            logger.LogWarning("The demo map folder {Folder} does not exist; the map starts empty.", paths.DemoMapFolder);
            return;
        }
        var started = TimeProvider.System.GetTimestamp();
        var folder = await DemoMapFolder.ReadAsync(paths.DemoMapFolder, ct);
        await _oneAtATime.WaitAsync(ct);
        try
        {
            _cards = [.. folder.Models.Select(m => new ModelCard(m.Name, m.Family, m.Architecture, m.Parameters, m.Created))];
            var n = folder.Texts.Count;
            _raw = [.. Enumerable.Range(0, _cards.Count).Select(i => folder.LogLikelihoods.AsSpan(i * n, n).ToArray())];
            var texts = new MapText(Path.GetFileName(paths.DemoMapFolder), [.. folder.Texts.Select(t => t.Index)],
                [.. folder.Texts.Select(t => t.Domain)], folder.Texts.Average(t => (double)System.Text.Encoding.UTF8.GetByteCount(t.Text)));
            var state = await Task.Run(() => MapStateBuilder.Build(
                texts, _cards, new LogLikelihoodMatrix([.. _cards.Select(c => c.Name)], n, folder.LogLikelihoods), Options, 1, null, null, ct), ct);
            map.Publish(state);
        }
        finally
        {
            _oneAtATime.Release();
        }
        logger.LogInformation("Map of {Models} models x {Texts} texts ready in {Elapsed}.",
            folder.Models.Count, folder.Texts.Count, TimeProvider.System.GetElapsedTime(started));
    }

    /// <summary>Recomputes clipping, centering and the t-SNE layout over every model on the map.</summary>
    public async Task RefreshAsync(IProgress<MapProgress>? progress, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var current = map.State;
            if (_cards.Count < 3)
                throw new InvalidOperationException($"A map needs at least 3 models; {_cards.Count} are stored.");
            var n = current.Texts.Indices.Count;
            var values = new double[(long)_cards.Count * n];
            for (var i = 0; i < _cards.Count; i++)
                _raw[i].CopyTo(values, i * n);
            var matrix = new LogLikelihoodMatrix([.. _cards.Select(c => c.Name)], n, values);
            var state = await Task.Run(() => MapStateBuilder.Build(
                current.Texts, _cards, matrix, Options, current.Snapshot.Version + 1, null, progress, ct), ct);
            map.Publish(state);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Places a scored model next to the others without moving them; false when it is already on the map.</summary>
    public async Task<bool> PlaceAsync(string name, string family, double[] logLikelihoods, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var current = map.State;
            if (current.Contains(name))
                return false;
            var card = new ModelCard(name, family, null, null, DateTimeOffset.UtcNow);
            var state = await Task.Run(() => MapStateBuilder.Place(current, card, logLikelihoods, null, ct), ct);
            _cards.Add(card);
            _raw.Add(logLikelihoods);
            map.Publish(state);
            return true;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Takes a model off the map; false when there is none of that name.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var index = _cards.FindIndex(c => c.Name == name);
            if (index < 0)
                return false;
            _cards.RemoveAt(index);
            _raw.RemoveAt(index);
            map.Publish(MapStateBuilder.Remove(map.State, name));
            return true;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
