namespace LogLikeMap.Core.Map;

/// <summary>How faithfully a 2-D layout keeps the full-space neighbourhoods (the check of issue 2 "Done when").</summary>
public static class LayoutQuality
{
    /// <summary>
    /// Mean over models of |layout k-NN ∩ full-space k-NN| / k: 1 when every model's k nearest points on the map
    /// are its k nearest models in the full space. <paramref name="fullSpaceNeighbours"/> holds, per model, at least
    /// k neighbour indices, nearest first; the layout's neighbours are found by brute force (ties by index).
    /// </summary>
    public static double NeighbourOverlap(IReadOnlyList<MapPoint> layout, IReadOnlyList<IReadOnlyList<int>> fullSpaceNeighbours, int k)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(fullSpaceNeighbours);
        if (fullSpaceNeighbours.Count != layout.Count)
            throw new ArgumentException($"{layout.Count} points but {fullSpaceNeighbours.Count} neighbour lists.", nameof(fullSpaceNeighbours));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, layout.Count);
        var overlap = new double[layout.Count];
        Parallel.For(0, layout.Count, i =>
        {
            if (fullSpaceNeighbours[i].Count < k)
                throw new ArgumentException($"Model {i} has {fullSpaceNeighbours[i].Count} full-space neighbours; {k} are needed.", nameof(fullSpaceNeighbours));
            var onMap = Enumerable.Range(0, layout.Count).Where(j => j != i)
                .OrderBy(j => Square(layout[i].X - layout[j].X) + Square(layout[i].Y - layout[j].Y)).ThenBy(j => j)
                .Take(k);
            overlap[i] = onMap.Intersect(fullSpaceNeighbours[i].Take(k)).Count() / (double)k;
        });
        return overlap.Sum() / layout.Count;
    }

    private static double Square(double v) => v * v;
}
