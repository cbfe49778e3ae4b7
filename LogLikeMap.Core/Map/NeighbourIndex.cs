namespace LogLikeMap.Core.Map;

/// <summary>Where a shown model's q lives: a row of the layout's Q, or its own array when placed after the layout.</summary>
/// <param name="LaidOutRow">The row of the layout's Q; ignored when <paramref name="Placed"/> is set.</param>
/// <param name="Placed">q of a model placed since the layout (centred with the layout's clip threshold and column means).</param>
public readonly record struct MapRow(int LaidOutRow, double[]? Placed);

/// <summary>
/// Exact nearest-neighbour queries over the models a map shows: the rows of the last full layout's Q (through
/// its Gram matrix, <see cref="SquaredDistances.Nearest(int, int)"/>: candidates, exact re-measurement, a rounding
/// bound), less the models removed since, plus the models placed since (measured exactly one by one; there are
/// few). A brute-force scan with exact sums returns the same models in the same order (ties by shown index).
/// Immutable; safe to share between threads.
/// </summary>
public sealed class NeighbourIndex
{
    private readonly CentredLogLikelihoods _laidOut;
    private readonly SquaredDistances _distances;
    private readonly MapRow[] _rows;

    // Shown index of each row of the layout's Q, -1 for a model removed since the layout.
    private readonly int[] _shownIndexOfLaidOutRow;
    private readonly int _removedSinceLayout;
    private readonly int[] _placedSinceLayout;

    /// <param name="laidOut">Q of the last full layout's models.</param>
    /// <param name="distances">The Gram matrix of <paramref name="laidOut"/> (<see cref="SquaredDistances.Build"/>, the costly part).</param>
    /// <param name="shown">The models the map shows, in its order: each a row of <paramref name="laidOut"/> (at most once) or a placed q.</param>
    public NeighbourIndex(CentredLogLikelihoods laidOut, SquaredDistances distances, IReadOnlyList<MapRow> shown)
    {
        ArgumentNullException.ThrowIfNull(laidOut);
        ArgumentNullException.ThrowIfNull(distances);
        ArgumentNullException.ThrowIfNull(shown);
        if (distances.ModelCount != laidOut.ModelCount || distances.TextCount != laidOut.TextCount)
            throw new ArgumentException($"The distances are of {distances.ModelCount} x {distances.TextCount} rows, Q is {laidOut.ModelCount} x {laidOut.TextCount}.", nameof(distances));
        _laidOut = laidOut;
        _distances = distances;
        _rows = [.. shown];

        _shownIndexOfLaidOutRow = new int[laidOut.ModelCount];
        Array.Fill(_shownIndexOfLaidOutRow, -1);
        var placed = new List<int>();
        for (var i = 0; i < _rows.Length; i++)
        {
            if (_rows[i].Placed is { } q)
            {
                if (q.Length != laidOut.TextCount)
                    throw new ArgumentException($"Shown model {i} has {q.Length} values; the map has {laidOut.TextCount} texts.", nameof(shown));
                placed.Add(i);
            }
            else if (_shownIndexOfLaidOutRow[_rows[i].LaidOutRow] >= 0)
            {
                throw new ArgumentException($"Row {_rows[i].LaidOutRow} of the layout is shown twice.", nameof(shown));
            }
            else
            {
                _shownIndexOfLaidOutRow[_rows[i].LaidOutRow] = i;
            }
        }
        _placedSinceLayout = [.. placed];
        _removedSinceLayout = _shownIndexOfLaidOutRow.Count(i => i < 0);
    }

    /// <summary>Q and its Gram matrix for a map that shows exactly the layout's models, in its order.</summary>
    public static NeighbourIndex Build(CentredLogLikelihoods laidOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(laidOut);
        var distances = SquaredDistances.Build(laidOut, cancellationToken);
        return new NeighbourIndex(laidOut, distances, [.. Enumerable.Range(0, laidOut.ModelCount).Select(row => new MapRow(row, null))]);
    }

    /// <summary>The number of shown models.</summary>
    public int ModelCount => _rows.Length;

    /// <summary>N, the number of texts the KL estimates average over.</summary>
    public int TextCount => _laidOut.TextCount;

    /// <summary>q of shown model <paramref name="model"/>.</summary>
    public ReadOnlySpan<double> Q(int model) =>
        _rows[model].Placed is { } placed ? placed : _laidOut.Row(_rows[model].LaidOutRow);

    /// <summary>
    /// The <paramref name="count"/> shown models nearest to shown model <paramref name="model"/> (itself excluded),
    /// nearest first, with exact squared distances; fewer when the map holds fewer others.
    /// </summary>
    public ModelDistance[] Nearest(int model, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(model);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(model, _rows.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        // Asked for enough extra layout rows to skip the ones removed since.
        var wanted = count + _removedSinceLayout;
        var fromLayout = _rows[model].Placed is { } placedQ
            ? _distances.Nearest(placedQ, wanted)
            : _distances.Nearest(_rows[model].LaidOutRow, wanted);

        var found = new List<(double Squared, int Model)>(fromLayout.Length + _placedSinceLayout.Length);
        foreach (var candidate in fromLayout)
        {
            if (_shownIndexOfLaidOutRow[candidate.Model] is var shown and >= 0)
                found.Add((candidate.SquaredDistance, shown));
        }
        var target = Q(model);
        foreach (var placed in _placedSinceLayout)
        {
            if (placed != model)
                found.Add((SquaredDistances.Exact(target, Q(placed)), placed));
        }

        // Ties broken by shown index so the order is stable.
        found.Sort((a, b) => a.Squared != b.Squared ? a.Squared.CompareTo(b.Squared) : a.Model.CompareTo(b.Model));
        var result = new ModelDistance[Math.Min(count, found.Count)];
        for (var r = 0; r < result.Length; r++)
            result[r] = new ModelDistance(found[r].Model, found[r].Squared);
        return result;
    }
}
