using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>
/// One immutable version of the map: the snapshot the pages draw, Q of the models of the last full layout
/// (with the clip threshold and column means that centre models placed later), and each shown model's q_i,
/// read from that Q or, for a model placed since, from its own row. Neighbour queries measure in that full
/// N-dimensional space. A model removed since the last layout only leaves the snapshot, so nothing else moves
/// until the next refresh.
/// </summary>
internal sealed class MapState
{
    private readonly MapRow[] _rows;
    private readonly Dictionary<string, int> _indexOf;

    public MapState(MapSnapshot snapshot, CentredLogLikelihoods? laidOut, IReadOnlyList<MapRow> rows, MapText texts)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count != snapshot.Models.Count)
            throw new ArgumentException($"{snapshot.Models.Count} models on the map but {rows.Count} coordinate rows.", nameof(rows));
        Snapshot = snapshot;
        LaidOut = laidOut;
        Texts = texts;
        _rows = [.. rows];
        _indexOf = new Dictionary<string, int>(snapshot.Models.Count, StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Models.Count; i++)
            _indexOf.Add(snapshot.Models[i].Name, i);
    }

    public static MapState Empty { get; } = new(
        new MapSnapshot(0, "", 0, 0, [], [], DateTimeOffset.UnixEpoch), null, [], new MapText(0, "", [], [], 0));

    public MapSnapshot Snapshot { get; }

    /// <summary>Q of the last full layout's models; null while the store holds no model.</summary>
    public CentredLogLikelihoods? LaidOut { get; }

    public MapText Texts { get; }

    public IReadOnlyList<MapRow> Rows => _rows;

    public bool Contains(string modelName) => _indexOf.ContainsKey(modelName);

    /// <summary>q of the model at <paramref name="index"/> in <see cref="MapSnapshot.Models"/>.</summary>
    public ReadOnlySpan<double> Q(int index) =>
        _rows[index].Placed is { } placed ? placed : LaidOut!.Row(_rows[index].LaidOutRow);

    public IReadOnlyList<Neighbour> Neighbours(string modelName, int k)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!_indexOf.TryGetValue(modelName, out var self))
            throw new KeyNotFoundException($"No model named '{modelName}' is on the map.");

        var models = Snapshot.Models;
        var target = Q(self);
        var distances = new (double Squared, int Index)[models.Count - 1];
        var filled = 0;
        for (var j = 0; j < models.Count; j++)
        {
            if (j != self)
                distances[filled++] = (SquaredDistances.Exact(target, Q(j)), j);
        }

        // Ties broken by index so the order is stable; K log K for K = 1,018 is far below the distance cost.
        Array.Sort(distances, (a, b) => a.Squared != b.Squared ? a.Squared.CompareTo(b.Squared) : a.Index.CompareTo(b.Index));
        var result = new Neighbour[Math.Min(k, distances.Length)];
        for (var r = 0; r < result.Length; r++)
        {
            var (squared, index) = distances[r];
            var nats = KlEstimate.NatsPerText(squared, Snapshot.TextCount);
            result[r] = new Neighbour(r + 1, models[index].Name, models[index].Family, nats, KlEstimate.BitsPerByte(nats, Snapshot.MeanTextBytes));
        }
        return result;
    }
}

/// <summary>Where a shown model's q lives: a row of the layout's Q, or its own array when placed after the layout.</summary>
internal readonly record struct MapRow(int LaidOutRow, double[]? Placed);

/// <summary>The text set the map's columns are: its store id, name, each column's text index and domain, the mean UTF-8 length.</summary>
internal sealed record MapText(int TextSetId, string Name, IReadOnlyList<long> Indices, IReadOnlyList<string?> Domains, double MeanBytes);
