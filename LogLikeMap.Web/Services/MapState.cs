using System.Diagnostics.CodeAnalysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>
/// A model's card as the store describes it, with its mean log-likelihood over the map's texts (nats per text) and,
/// where its metadata says, what was done to its base, on what data, its run and step, and its interpolation weights.
/// </summary>
internal sealed record ModelCard(
    string Name, string Family, string? Architecture, long? Parameters, DateTimeOffset? Created, double MeanLogLikelihood,
    string? Change = null, string? Data = null, LogLikeMap.Core.Analysis.RunStep? Checkpoint = null,
    LogLikeMap.Core.Analysis.GridWeights? Grid = null);

/// <summary>The text set the map's columns are: its store id, name, each column's text index and domain, the mean UTF-8 length.</summary>
internal sealed record MapText(int TextSetId, string Name, IReadOnlyList<long> Indices, IReadOnlyList<string?> Domains, double MeanBytes);

/// <summary>
/// What the app publishes: the live map (Core/Map: Q, the shown models and their points, placement, neighbours),
/// the cards of its models and the snapshot the pages draw, made from both. Immutable.
/// </summary>
internal sealed class MapState
{
    private readonly IReadOnlyDictionary<string, ModelCard> _cards;

    /// <param name="cards">A card for every model <paramref name="map"/> shows (more are ignored).</param>
    public MapState(LiveMap map, IReadOnlyDictionary<string, ModelCard> cards, MapText texts, int version)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(texts);
        Map = map;
        _cards = cards;
        Texts = texts;
        Snapshot = new MapSnapshot(version, texts.Name, texts.Indices.Count, texts.MeanBytes,
            [.. map.Models.Select(m => PointOf(m, cards.TryGetValue(m.Name, out var card) ? card : throw new ArgumentException($"No card for model '{m.Name}'.", nameof(cards))))],
            map.Domains, DateTimeOffset.UtcNow);
    }

    private MapState(LiveMap map, IReadOnlyDictionary<string, ModelCard> cards, MapText texts, MapSnapshot snapshot)
    {
        Map = map;
        _cards = cards;
        Texts = texts;
        Snapshot = snapshot;
    }

    public static MapState Empty { get; } = new(LiveMap.Empty, new Dictionary<string, ModelCard>(), new MapText(0, "", [], [], 0), 0);

    public LiveMap Map { get; }

    public MapSnapshot Snapshot { get; }

    public MapText Texts { get; }

    /// <summary>Q of the last full layout's models (its clip threshold and column means); null while the store holds no model.</summary>
    public CentredLogLikelihoods? LaidOut => Map.LaidOut;

    /// <summary>False while the layout's Gram matrix is being built; neighbour queries then have no answer yet.</summary>
    public bool NeighboursReady => Map.NeighboursReady;

    public bool Contains(string modelName) => Map.Contains(modelName);

    /// <summary>q of the model at <paramref name="index"/> in <see cref="MapSnapshot.Models"/>.</summary>
    public ReadOnlySpan<double> Q(int index) => Map.Q(index);

    /// <summary>
    /// The same map with <paramref name="changed"/> in place of <see cref="Map"/>: a new snapshot when the shown models
    /// changed, the same one when only the neighbour index became ready (readers keyed on the snapshot keep their work).
    /// </summary>
    public MapState With(LiveMap changed, IReadOnlyDictionary<string, ModelCard>? cards = null) =>
        ReferenceEquals(changed.Models, Map.Models) || changed.Models.SequenceEqual(Map.Models)
            ? new MapState(changed, cards ?? _cards, Texts, Snapshot)
            : new MapState(changed, cards ?? _cards, Texts, Snapshot.Version);

    /// <summary>
    /// The <paramref name="k"/> shown models nearest to <paramref name="modelName"/> in the full space, or false
    /// while the neighbour index is being prepared. Throws <see cref="KeyNotFoundException"/> for an unknown model.
    /// </summary>
    public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? neighbours)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var self = Map.IndexOf(modelName);
        if (self < 0)
            throw new KeyNotFoundException($"No model named '{modelName}' is on the map.");
        if (!Map.TryGetNearest(self, k, out var nearest))
        {
            neighbours = null;
            return false;
        }
        var models = Snapshot.Models;
        neighbours = [.. nearest.Select(n => n.WithBitsPerByte(Snapshot.MeanTextBytes) with { Family = models[n.Model].Family })];
        return true;
    }

    private static ModelPoint PointOf(ShownModel model, ModelCard card) =>
        new(card.Name, card.Family, card.Architecture, card.Parameters, card.Created, card.MeanLogLikelihood,
            model.StrongestDomain, model.Position.X, model.Position.Y, model.Provisional,
            card.Change, card.Data, card.Checkpoint, card.Grid);
}
