namespace LogLikeMap.Core.Map;

/// <summary>
/// Keeps every model visible and clickable on the drawn map: points closer than a minimum separation are moved apart
/// just enough. t-SNE puts models with (nearly) identical log-likelihood vectors on (nearly) one spot, which on a
/// plot is one marker at any zoom. The separation is a fraction of the layout's extent (the larger of its width and
/// height), so it means the same on screen whatever the layout's units.
/// </summary>
/// <remarks>
/// The fraction is 1.5% up to 200 models: on a plot 800 pixels wide that is 12 pixels, more than the map's 8-pixel
/// markers. Larger maps are crowded at the default zoom anyway, so it shrinks as 1 / sqrt(K) (the spacing of K
/// points spread evenly); coincident points are still separated, and show as distinct when zoomed in.
/// </remarks>
public static class PointSeparation
{
    /// <summary>Separation as a fraction of the extent for maps of up to <see cref="CrowdedAbove"/> models.</summary>
    public const double Fraction = 0.015;

    public const int CrowdedAbove = 200;

    /// <summary>Relaxation passes at most; each pass resolves every overlap it finds, so few are needed.</summary>
    private const int MaxPasses = 100;

    // The golden angle turns the push between coincident points to directions that never repeat (Vogel 1979).
    private static readonly double GoldenAngle = Math.PI * (3 - Math.Sqrt(5));

    /// <summary>The minimum distance between two points of a map of these <paramref name="points"/> plus <paramref name="extra"/> more.</summary>
    public static double MinimumSeparation(IReadOnlyList<MapPoint> points, int extra = 0)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
            return 0;
        var extent = Math.Max(points.Max(p => p.X) - points.Min(p => p.X), points.Max(p => p.Y) - points.Min(p => p.Y));
        var count = points.Count + extra;
        var fraction = count <= CrowdedAbove ? Fraction : Fraction * Math.Sqrt((double)CrowdedAbove / count);
        // All points on one spot leave no extent to take a fraction of; any unit then separates them.
        return fraction * (extent > 0 ? extent : 1);
    }

    /// <summary>
    /// The layout with points that (almost) coincide set out on a hexagonal grid of spacing <see cref="MinimumSeparation"/>
    /// around their common spot, then pairs still closer than that pushed apart along the line between them, each by
    /// half the shortfall, pass after pass until none is left. Points already far enough apart do not move.
    /// </summary>
    public static MapPoint[] Separate(IReadOnlyList<MapPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var x = points.Select(p => p.X).ToArray();
        var y = points.Select(p => p.Y).ToArray();
        var d = MinimumSeparation(points);
        if (d > 0)
            SpreadCoincident(x, y, d);
        // Pushing points at the edge outwards widens the extent and so the separation it asks for: separate again at
        // the wider extent's distance until it no longer grows (a few rounds; the built-in map's copies need it).
        for (var round = 0; round < MaxPasses && d > 0; round++)
        {
            Push(x, y, d);
            var wider = MinimumSeparation([.. x.Select((xi, i) => new MapPoint(xi, y[i]))]);
            if (wider <= d)
                break;
            d = wider;
        }
        return [.. x.Select((xi, i) => new MapPoint(xi, y[i]))];
    }

    /// <summary>Pairs closer than <paramref name="d"/> pushed apart along the line between them, pass after pass until none is left.</summary>
    private static void Push(double[] x, double[] y, double d)
    {
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var moved = false;
            foreach (var (i, j) in ClosePairs(x, y, d))
            {
                var (dx, dy) = (x[j] - x[i], y[j] - y[i]);
                var distance = Math.Sqrt((dx * dx) + (dy * dy));
                if (distance >= d)
                    continue;
                (dx, dy) = distance > 1e-9 * d
                    ? (dx / distance, dy / distance)
                    : (Math.Cos(GoldenAngle * ((i * 31) + j)), Math.Sin(GoldenAngle * ((i * 31) + j)));
                // A hair more than half the shortfall each, so the pair ends just beyond d rather than at it.
                var push = ((d - distance) / 2) + (1e-6 * d);
                (x[i], y[i]) = (x[i] - (push * dx), y[i] - (push * dy));
                (x[j], y[j]) = (x[j] + (push * dx), y[j] + (push * dy));
                moved = true;
            }
            if (!moved)
                break;
        }
    }

    /// <summary>
    /// Where a new point goes near <paramref name="target"/> without moving the others: the target itself when it is
    /// <see cref="MinimumSeparation"/> from every point, else the first free spot on rings of growing radius around it.
    /// </summary>
    public static MapPoint FreeSpotNear(MapPoint target, IReadOnlyList<MapPoint> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var d = MinimumSeparation(others, extra: 1);
        if (d <= 0 || IsFree(target, others, d))
            return target;
        for (var k = 1; ; k++)
        {
            var (dx, dy) = HexagonalSpot(k);
            var candidate = new MapPoint(target.X + (d * dx), target.Y + (d * dy));
            if (IsFree(candidate, others, d))
                return candidate;
        }
    }

    /// <summary>
    /// The k-th spot of rings around the origin in units of the separation: 0 is the centre, ring r (radius r) has 6 r
    /// spots, 2 pi r / 6 r = 1.05 apart and 1 from the next ring, nearly the hexagonal packing of unit disks.
    /// </summary>
    private static (double X, double Y) HexagonalSpot(int k)
    {
        if (k == 0)
            return (0, 0);
        var ring = 1;
        var first = 1;                       // index of the ring's first spot: 1 + 3 r (r - 1)
        while (k >= first + (6 * ring))
            (first, ring) = (first + (6 * ring), ring + 1);
        var angle = 2 * Math.PI * (k - first) / (6 * ring);
        return (ring * Math.Cos(angle), ring * Math.Sin(angle));
    }

    /// <summary>
    /// Groups of points within a hundredth of <paramref name="d"/> of each other (t-SNE's image of one vector) are set
    /// out on the hexagonal spots around their centroid, in index order, so a group of n takes a disk of about sqrt(n) d.
    /// </summary>
    private static void SpreadCoincident(double[] x, double[] y, double d)
    {
        var group = Enumerable.Range(0, x.Length).ToArray();
        int Root(int i)
        {
            while (group[i] != i)
                i = group[i] = group[group[i]];
            return i;
        }
        foreach (var (i, j) in ClosePairs(x, y, d))
        {
            if (Math.Sqrt(((x[i] - x[j]) * (x[i] - x[j])) + ((y[i] - y[j]) * (y[i] - y[j]))) < 0.01 * d)
                group[Math.Max(Root(i), Root(j))] = Math.Min(Root(i), Root(j));
        }
        foreach (var members in Enumerable.Range(0, x.Length).GroupBy(Root).Where(g => g.Count() > 1).Select(g => g.Order().ToArray()))
        {
            var (cx, cy) = (members.Average(i => x[i]), members.Average(i => y[i]));
            for (var k = 0; k < members.Length; k++)
            {
                var (dx, dy) = HexagonalSpot(k);
                (x[members[k]], y[members[k]]) = (cx + (d * dx), cy + (d * dy));
            }
        }
    }

    private static bool IsFree(MapPoint candidate, IReadOnlyList<MapPoint> others, double d) =>
        others.All(p => ((p.X - candidate.X) * (p.X - candidate.X)) + ((p.Y - candidate.Y) * (p.Y - candidate.Y)) >= d * d * (1 - 1e-9));

    /// <summary>Pairs (i &lt; j) in the same or adjacent cells of a grid of cell size d: every pair closer than d is among them.</summary>
    private static List<(int I, int J)> ClosePairs(double[] x, double[] y, double d)
    {
        var cells = new Dictionary<(long, long), List<int>>();
        for (var i = 0; i < x.Length; i++)
        {
            var key = ((long)Math.Floor(x[i] / d), (long)Math.Floor(y[i] / d));
            if (!cells.TryGetValue(key, out var members))
                cells[key] = members = [];
            members.Add(i);
        }
        var pairs = new List<(int, int)>();
        foreach (var ((cx, cy), members) in cells)
        {
            for (var ox = -1L; ox <= 1; ox++)
            {
                for (var oy = -1L; oy <= 1; oy++)
                {
                    if (!cells.TryGetValue((cx + ox, cy + oy), out var neighbours))
                        continue;
                    foreach (var i in members)
                    {
                        foreach (var j in neighbours)
                        {
                            if (i < j)
                                pairs.Add((i, j));
                        }
                    }
                }
            }
        }
        return pairs;
    }
}
