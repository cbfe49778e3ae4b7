using System.Numerics;
using System.Runtime.InteropServices;

namespace LogLikeMap.Web.Services;

/// <summary>
/// One immutable version of the map: the snapshot the pages draw, and the coordinates q_i (rows of Q, the
/// clipped and double-centred log-likelihoods) that neighbour queries measure in the full N-dimensional space.
/// </summary>
internal sealed class MapState
{
    private readonly double[] _q;
    private readonly Dictionary<string, int> _rowOf;

    public MapState(MapSnapshot snapshot, double[] q)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(q);
        if (q.Length != (long)snapshot.Models.Count * snapshot.TextCount)
            throw new ArgumentException($"Q has {q.Length} values; {snapshot.Models.Count} models x {snapshot.TextCount} texts expected.", nameof(q));
        Snapshot = snapshot;
        _q = q;
        _rowOf = new Dictionary<string, int>(snapshot.Models.Count, StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Models.Count; i++)
            _rowOf.Add(snapshot.Models[i].Name, i);
    }

    public static MapState Empty { get; } = new(
        new MapSnapshot(0, "", 0, 0, [], [], DateTimeOffset.UnixEpoch), []);

    public MapSnapshot Snapshot { get; }

    public bool Contains(string modelName) => _rowOf.ContainsKey(modelName);

    public IReadOnlyList<Neighbour> Neighbours(string modelName, int k)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!_rowOf.TryGetValue(modelName, out var self))
            throw new KeyNotFoundException($"No model named '{modelName}' is on the map.");

        var models = Snapshot.Models;
        int n = Snapshot.TextCount;
        var target = _q.AsSpan(self * n, n);
        var distances = new (double Squared, int Row)[models.Count - 1];
        var filled = 0;
        for (var j = 0; j < models.Count; j++)
        {
            if (j != self)
                distances[filled++] = (SquaredDistance(target, _q.AsSpan(j * n, n)), j);
        }

        // Ties broken by row so the order is stable; K log K for K = 1,018 is far below the distance cost.
        Array.Sort(distances, (a, b) => a.Squared != b.Squared ? a.Squared.CompareTo(b.Squared) : a.Row.CompareTo(b.Row));
        var result = new Neighbour[Math.Min(k, distances.Length)];
        for (var r = 0; r < result.Length; r++)
        {
            var (squared, row) = distances[r];
            // KL ≈ |q_i - q_j|^2 / (2N) nats per text; bits per byte divide by (mean bytes x ln 2) (paper-method.md §1.5).
            var nats = squared / (2.0 * n);
            result[r] = new Neighbour(r + 1, models[row].Name, models[row].Family, nats, nats / (Snapshot.MeanTextBytes * Math.Log(2)));
        }
        return result;
    }

    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        var sum = Vector<double>.Zero;
        for (var i = 0; i < va.Length; i++)
        {
            var d = va[i] - vb[i];
            sum += d * d;
        }
        var total = Vector.Sum(sum);
        for (var i = va.Length * Vector<double>.Count; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            total += d * d;
        }
        return total;
    }
}
