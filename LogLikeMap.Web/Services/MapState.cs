using System.Diagnostics.CodeAnalysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>
/// One immutable version of the map: the snapshot the pages draw, Q of the models of the last full layout
/// (with the clip threshold and column means that centre models placed later) and, once built, its Gram
/// matrix, and each shown model's q, read from that Q or, for a model placed since, from its own row.
/// Neighbour queries (<see cref="NeighbourIndex"/>) measure in that full N-dimensional space. A model removed
/// since the last layout only leaves the snapshot, so nothing else moves until the next refresh.
/// </summary>
internal sealed class MapState
{
    private readonly MapRow[] _rows;
    private readonly Dictionary<string, int> _indexOf;

    // Null until the layout's Gram matrix is built (a layout redrawn from the store gets it in the background).
    private readonly NeighbourIndex? _neighbours;

    public MapState(MapSnapshot snapshot, LaidOutMap? laidOut, IReadOnlyList<MapRow> rows, MapText texts)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count != snapshot.Models.Count)
            throw new ArgumentException($"{snapshot.Models.Count} models on the map but {rows.Count} coordinate rows.", nameof(rows));
        Snapshot = snapshot;
        Layout = laidOut;
        Texts = texts;
        _rows = [.. rows];
        _indexOf = new Dictionary<string, int>(snapshot.Models.Count, StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Models.Count; i++)
            _indexOf.Add(snapshot.Models[i].Name, i);
        if (laidOut?.Distances is { } distances)
            _neighbours = new NeighbourIndex(laidOut.Q, distances, _rows, snapshot.MeanTextBytes);
    }

    public static MapState Empty { get; } = new(
        new MapSnapshot(0, "", 0, 0, [], [], DateTimeOffset.UnixEpoch), null, [], new MapText(0, "", [], [], 0));

    public MapSnapshot Snapshot { get; }

    /// <summary>The last full layout's Q and (once built) distances; null while the store holds no model.</summary>
    public LaidOutMap? Layout { get; }

    /// <summary>Q of the last full layout's models; null while the store holds no model.</summary>
    public CentredLogLikelihoods? LaidOut => Layout?.Q;

    public MapText Texts { get; }

    public IReadOnlyList<MapRow> Rows => _rows;

    /// <summary>False while the layout's Gram matrix is being built; neighbour queries then have no answer yet.</summary>
    public bool NeighboursReady => Layout is null || _neighbours is not null;

    public bool Contains(string modelName) => _indexOf.ContainsKey(modelName);

    /// <summary>q of the model at <paramref name="index"/> in <see cref="MapSnapshot.Models"/>.</summary>
    public ReadOnlySpan<double> Q(int index) =>
        _rows[index].Placed is { } placed ? placed : LaidOut!.Row(_rows[index].LaidOutRow);

    /// <summary>This map with its layout's Gram matrix, built since.</summary>
    public MapState WithDistances(SquaredDistances distances)
    {
        ArgumentNullException.ThrowIfNull(distances);
        var layout = Layout ?? throw new InvalidOperationException("An empty map has no layout to measure.");
        return new MapState(Snapshot, layout with { Distances = distances }, _rows, Texts);
    }

    /// <summary>
    /// The <paramref name="k"/> shown models nearest to <paramref name="modelName"/> in the full space, or false
    /// while the neighbour index is being prepared. Throws <see cref="KeyNotFoundException"/> for an unknown model.
    /// </summary>
    public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? neighbours)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!_indexOf.TryGetValue(modelName, out var self))
            throw new KeyNotFoundException($"No model named '{modelName}' is on the map.");
        if (_neighbours is null)
        {
            neighbours = null;
            return false;
        }
        var models = Snapshot.Models;
        neighbours = [.. _neighbours.Nearest(self, k).Select((n, r) =>
            new Neighbour(r + 1, models[n.Model].Name, models[n.Model].Family, n.KlNats, n.KlBitsPerByte))];
        return true;
    }
}

/// <summary>
/// Q of a full layout's models and the distances between its rows (the Gram matrix, computed once per layout;
/// null until built when the layout was read back from the store).
/// </summary>
internal sealed record LaidOutMap(CentredLogLikelihoods Q, SquaredDistances? Distances);

/// <summary>The text set the map's columns are: its store id, name, each column's text index and domain, the mean UTF-8 length.</summary>
internal sealed record MapText(int TextSetId, string Name, IReadOnlyList<long> Indices, IReadOnlyList<string?> Domains, double MeanBytes);
