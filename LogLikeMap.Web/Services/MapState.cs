using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>
/// One immutable version of the map: the snapshot the pages draw, Q of the models of the last full layout
/// (with the clip threshold and column means that centre models placed later) and its Gram-matrix distances,
/// and each shown model's q_i, read from that Q or, for a model placed since, from its own row. Neighbour
/// queries measure in that full N-dimensional space. A model removed since the last layout only leaves the
/// snapshot, so nothing else moves until the next refresh.
/// </summary>
internal sealed class MapState
{
    private readonly MapRow[] _rows;
    private readonly Dictionary<string, int> _indexOf;

    // Snapshot index of each row of the layout's Q, -1 for a model removed since the layout.
    private readonly int[] _shownIndexOfLaidOutRow;
    private readonly int _removedSinceLayout;
    private readonly int[] _placedSinceLayout;

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

        _shownIndexOfLaidOutRow = new int[laidOut?.Q.ModelCount ?? 0];
        Array.Fill(_shownIndexOfLaidOutRow, -1);
        var placed = new List<int>();
        for (var i = 0; i < _rows.Length; i++)
        {
            if (_rows[i].Placed is null)
                _shownIndexOfLaidOutRow[_rows[i].LaidOutRow] = i;
            else
                placed.Add(i);
        }
        _placedSinceLayout = [.. placed];
        _removedSinceLayout = _shownIndexOfLaidOutRow.Count(i => i < 0);
    }

    public static MapState Empty { get; } = new(
        new MapSnapshot(0, "", 0, 0, [], [], DateTimeOffset.UnixEpoch), null, [], new MapText(0, "", [], [], 0));

    public MapSnapshot Snapshot { get; }

    /// <summary>The last full layout's Q and distances; null while the store holds no model.</summary>
    public LaidOutMap? Layout { get; }

    /// <summary>Q of the last full layout's models; null while the store holds no model.</summary>
    public CentredLogLikelihoods? LaidOut => Layout?.Q;

    public MapText Texts { get; }

    public IReadOnlyList<MapRow> Rows => _rows;

    public bool Contains(string modelName) => _indexOf.ContainsKey(modelName);

    /// <summary>q of the model at <paramref name="index"/> in <see cref="MapSnapshot.Models"/>.</summary>
    public ReadOnlySpan<double> Q(int index) =>
        _rows[index].Placed is { } placed ? placed : LaidOut!.Row(_rows[index].LaidOutRow);

    /// <summary>
    /// The engine's exact query (<see cref="SquaredDistances.Nearest(int, int)"/>: Gram-matrix candidates, exact
    /// re-measurement, a rounding bound) over the layout's rows, asked for enough extra models to skip the ones
    /// removed since; models placed since the layout are measured exactly one by one (there are few).
    /// </summary>
    public IReadOnlyList<Neighbour> Neighbours(string modelName, int k)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!_indexOf.TryGetValue(modelName, out var self))
            throw new KeyNotFoundException($"No model named '{modelName}' is on the map.");

        var models = Snapshot.Models;
        var distances = Layout!.Distances;
        var wanted = k + _removedSinceLayout;
        var fromLayout = _rows[self].Placed is { } placedQ
            ? distances.Nearest(placedQ, wanted)
            : distances.Nearest(_rows[self].LaidOutRow, wanted);

        var found = new List<(double Squared, int Index)>(fromLayout.Length + _placedSinceLayout.Length);
        foreach (var candidate in fromLayout)
        {
            if (_shownIndexOfLaidOutRow[candidate.Model] is var shown and >= 0)
                found.Add((candidate.SquaredDistance, shown));
        }
        var target = Q(self);
        foreach (var placed in _placedSinceLayout)
        {
            if (placed != self)
                found.Add((SquaredDistances.Exact(target, Q(placed)), placed));
        }

        // Ties broken by snapshot index so the order is stable.
        found.Sort((a, b) => a.Squared != b.Squared ? a.Squared.CompareTo(b.Squared) : a.Index.CompareTo(b.Index));
        var result = new Neighbour[Math.Min(k, found.Count)];
        for (var r = 0; r < result.Length; r++)
        {
            var (squared, index) = found[r];
            var nats = KlEstimate.NatsPerText(squared, Snapshot.TextCount);
            result[r] = new Neighbour(r + 1, models[index].Name, models[index].Family, nats, KlEstimate.BitsPerByte(nats, Snapshot.MeanTextBytes));
        }
        return result;
    }
}

/// <summary>Q of a full layout's models and the distances between its rows (the Gram matrix, computed once per layout).</summary>
internal sealed record LaidOutMap(CentredLogLikelihoods Q, SquaredDistances Distances)
{
    public static LaidOutMap Of(CentredLogLikelihoods q, CancellationToken ct) => new(q, SquaredDistances.Build(q, ct));
}

/// <summary>Where a shown model's q lives: a row of the layout's Q, or its own array when placed after the layout.</summary>
internal readonly record struct MapRow(int LaidOutRow, double[]? Placed);

/// <summary>The text set the map's columns are: its store id, name, each column's text index and domain, the mean UTF-8 length.</summary>
internal sealed record MapText(int TextSetId, string Name, IReadOnlyList<long> Indices, IReadOnlyList<string?> Domains, double MeanBytes);
