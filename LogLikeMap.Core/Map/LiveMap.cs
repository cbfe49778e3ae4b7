namespace LogLikeMap.Core.Map;

/// <summary>A model the map shows: where its q lives, its point, whether it was placed since the last layout, its strongest domain.</summary>
/// <param name="Row">A row of the layout's Q, or the model's own q when placed since.</param>
/// <param name="Provisional">Placed next to fixed others after the last full layout; exact after the next refresh.</param>
/// <param name="StrongestDomain">The text domain where its q is highest on average (docs/method.md §2, §3.5); null without domains.</param>
public sealed record ShownModel(string Name, MapRow Row, MapPoint Position, bool Provisional, string? StrongestDomain);

/// <summary>
/// The map as a user sees it, one immutable version of it: Q of the models of the last full layout (with the clip
/// threshold and column means that centre every model placed later), the models shown now with their points, and
/// the neighbour index over them (null until the layout's Gram matrix is built). Every change returns a new
/// version: a full layout, a layout redrawn from stored points, a model placed (out-of-sample t-SNE against the
/// fixed points; nobody else moves), a model removed (the others keep their points until the next layout).
/// Neighbours are measured in the full N-dimensional space (docs/method.md §1.5). Safe to share between threads.
/// </summary>
public sealed class LiveMap
{
    private readonly ShownModel[] _shown;
    private readonly Dictionary<string, int> _indexOf;
    private readonly MapDomains _domains;

    // Null until the layout's Gram matrix is built (a layout redrawn from the store gets it in the background).
    private readonly NeighbourIndex? _neighbours;

    private LiveMap(CentredLogLikelihoods? laidOut, SquaredDistances? distances, MapDomains domains, MapOptions options, ShownModel[] shown)
    {
        LaidOut = laidOut;
        Distances = distances;
        _domains = domains;
        Options = options;
        _shown = shown;
        _indexOf = new Dictionary<string, int>(shown.Length, StringComparer.Ordinal);
        for (var i = 0; i < shown.Length; i++)
        {
            if (!_indexOf.TryAdd(shown[i].Name, i))
                throw new ArgumentException($"Model '{shown[i].Name}' is shown twice.", nameof(shown));
        }
        if (laidOut is not null && distances is not null)
            _neighbours = new NeighbourIndex(laidOut, distances, [.. shown.Select(m => m.Row)]);
    }

    /// <summary>The map of a store that holds no model yet.</summary>
    public static LiveMap Empty { get; } = new(null, null, new MapDomains([]), new MapOptions(), []);

    /// <summary>Q of the last full layout's models (clip threshold and column means included); null on the empty map.</summary>
    public CentredLogLikelihoods? LaidOut { get; }

    /// <summary>The Gram matrix of <see cref="LaidOut"/>; null until built.</summary>
    public SquaredDistances? Distances { get; }

    public MapOptions Options { get; }

    /// <summary>The models shown, in the map's order.</summary>
    public IReadOnlyList<ShownModel> Models => _shown;

    /// <summary>The distinct text domains of the map's columns, in ordinal order.</summary>
    public IReadOnlyList<string> Domains => _domains.Names;

    /// <summary>False while the layout's Gram matrix is being built; neighbour queries then have no answer yet.</summary>
    public bool NeighboursReady => LaidOut is null || _neighbours is not null;

    public bool Contains(string name) => _indexOf.ContainsKey(name);

    /// <summary>The index of the model called <paramref name="name"/> in <see cref="Models"/>, or -1.</summary>
    public int IndexOf(string name) => _indexOf.TryGetValue(name, out var index) ? index : -1;

    /// <summary>q of shown model <paramref name="model"/>.</summary>
    public ReadOnlySpan<double> Q(int model) =>
        _shown[model].Row.Placed is { } placed ? placed : LaidOut!.Row(_shown[model].Row.LaidOutRow);

    /// <summary>
    /// A full layout of <paramref name="matrix"/> (<see cref="ModelMapBuilder.Build"/>: clip, centre, t-SNE), with
    /// points that would coincide on the plot moved apart (<see cref="PointSeparation"/>).
    /// </summary>
    /// <param name="columnDomains">Each column's text domain (null or empty for none), for the strongest domains.</param>
    public static LiveMap LayOut(
        LogLikelihoodMatrix matrix, IReadOnlyList<string?> columnDomains, MapOptions options, IProgress<MapProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return FromLayout(ModelMapBuilder.Build(matrix, options, progress, cancellationToken), columnDomains);
    }

    /// <summary>The live map of a finished full layout: every model shown at its (separated) point, its Gram matrix ready.</summary>
    public static LiveMap FromLayout(ModelMap layout, IReadOnlyList<string?> columnDomains)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var domains = new MapDomains(columnDomains, layout.TextCount);
        var points = PointSeparation.Separate(layout.Layout);
        ShownModel[] shown = [.. Enumerable.Range(0, layout.ModelCount).Select(i =>
            new ShownModel(layout.ModelNames[i], new MapRow(i, null), points[i], Provisional: false, domains.StrongestOf(layout.Coordinates.Row(i))))];
        return new LiveMap(layout.Coordinates, layout.Distances, domains, layout.Options, shown);
    }

    /// <summary>
    /// Redraws a stored layout without running t-SNE: Q of its models clipped at the layout's stored threshold
    /// <paramref name="clipThreshold"/> (never recomputed: after a deletion the percentile of the remaining models
    /// differs, docs/method.md §1.3) and centred with the stored <paramref name="columnMeans"/> when the layout kept
    /// them, each model at its stored point. The Gram matrix is left out (<see cref="WithDistances"/> adds it),
    /// so a restart shows the map without waiting for it.
    /// </summary>
    public static LiveMap Redraw(
        LogLikelihoodMatrix matrix, double clipThreshold, double[]? columnMeans, IReadOnlyList<MapPoint> positions,
        IReadOnlyList<string?> columnDomains, MapOptions options)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(options);
        if (positions.Count != matrix.ModelCount)
            throw new ArgumentException($"{matrix.ModelCount} models but {positions.Count} stored points.", nameof(positions));
        var q = CentredLogLikelihoods.ClippedAt(matrix, clipThreshold, columnMeans);
        var domains = new MapDomains(columnDomains, matrix.TextCount);
        ShownModel[] shown = [.. Enumerable.Range(0, matrix.ModelCount).Select(i =>
            new ShownModel(matrix.ModelNames[i], new MapRow(i, null), positions[i], Provisional: false, domains.StrongestOf(q.Row(i))))];
        return new LiveMap(q, null, domains, options, shown);
    }

    /// <summary>This map with its layout's Gram matrix, built since (<see cref="SquaredDistances.Build"/>).</summary>
    public LiveMap WithDistances(SquaredDistances distances)
    {
        ArgumentNullException.ThrowIfNull(distances);
        var laidOut = LaidOut ?? throw new InvalidOperationException("An empty map has no layout to measure.");
        if (distances.ModelCount != laidOut.ModelCount || distances.TextCount != laidOut.TextCount)
            throw new ArgumentException($"The distances are of {distances.ModelCount} x {distances.TextCount} rows, Q is {laidOut.ModelCount} x {laidOut.TextCount}.", nameof(distances));
        return new LiveMap(laidOut, distances, _domains, Options, _shown);
    }

    /// <summary>
    /// Adds a model without moving anyone: its q from the layout's clip threshold and column means, its point by
    /// out-of-sample t-SNE against the points shown now (<see cref="PlacementOf"/>), then moved to the nearest spot
    /// where it hides no other point. <paramref name="storedPosition"/> (a placement read back from the store) is used as it is.
    /// </summary>
    public LiveMap Place(string name, ReadOnlySpan<double> logLikelihoods, MapPoint? storedPosition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var laidOut = LaidOut ?? throw new InvalidOperationException("The map has no layout yet; refresh it before placing models.");
        if (Contains(name))
            throw new InvalidOperationException($"A model named '{name}' is already on the map.");
        var q = laidOut.CentreNewModel(logLikelihoods);
        var position = storedPosition ?? PlacementOf(q, cancellationToken);
        return new LiveMap(laidOut, Distances, _domains, Options,
            [.. _shown, new ShownModel(name, new MapRow(-1, q), position, Provisional: true, _domains.StrongestOf(q))]);
    }

    /// <summary>Takes a model off the map (nothing when it is not on it); the others keep their points until the next layout.</summary>
    public LiveMap Remove(string name)
    {
        var index = IndexOf(name);
        return index < 0 ? this : new LiveMap(LaidOut, Distances, _domains, Options, [.. _shown.Where((_, i) => i != index)]);
    }

    /// <summary>
    /// Where a model with centred vector <paramref name="q"/> goes on this map: openTSNE's <c>transform</c> of one point
    /// (<see cref="Tsne.PlaceNewPoint"/>) against the shown points, with affinities to its nearest shown models in the
    /// full space at the placement perplexity (<see cref="TsneOptions.PlacementPerplexity"/>), then the nearest spot
    /// that hides no other point (<see cref="PointSeparation.FreeSpotNear"/>).
    /// </summary>
    private MapPoint PlacementOf(double[] q, CancellationToken cancellationToken)
    {
        if (_shown.Length == 0)
            throw new InvalidOperationException("A model cannot be placed on a map that shows none.");
        MapPoint[] points = [.. _shown.Select(m => m.Position)];
        var perplexity = Options.Tsne.PlacementPerplexityFor(_shown.Length + 1);
        var nearest = NearestTo(q, TsneAffinities.NeighbourCount(_shown.Length + 1, perplexity));
        return PointSeparation.FreeSpotNear(Tsne.PlaceNewPoint(points, nearest, perplexity, cancellationToken), points);
    }

    /// <summary>
    /// The <paramref name="count"/> shown models nearest to shown model <paramref name="model"/> (itself excluded) in
    /// the full space, nearest first, or false while the neighbour index is being prepared.
    /// </summary>
    public bool TryGetNearest(int model, int count, out IReadOnlyList<Neighbour> neighbours)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(model);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(model, _shown.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (_neighbours is null)
        {
            neighbours = [];
            return false;
        }
        neighbours = Neighbour.Ranked(_neighbours.Nearest(model, count), i => _shown[i].Name, LaidOut!.TextCount);
        return true;
    }

    /// <summary>The shown models nearest to <paramref name="q"/>, measured exactly one by one (ties by shown index).</summary>
    private ModelDistance[] NearestTo(double[] q, int count)
    {
        var all = new ModelDistance[_shown.Length];
        Parallel.For(0, all.Length, j => all[j] = new ModelDistance(j, SquaredDistances.Exact(q, Q(j))));
        Array.Sort(all, static (a, b) => a.SquaredDistance != b.SquaredDistance ? a.SquaredDistance.CompareTo(b.SquaredDistance) : a.Model.CompareTo(b.Model));
        return all[..Math.Min(count, all.Length)];
    }

    /// <summary>
    /// The text domains of the map's columns, numbered once per map: a model's strongest domain is then one pass
    /// over arrays (looking each column's domain up by name cost seconds at 1,018 models x 10,000 texts).
    /// </summary>
    private sealed class MapDomains
    {
        private readonly int[] _domainOfColumn;

        public MapDomains(IReadOnlyList<string?> columnDomains, int? textCount = null)
        {
            ArgumentNullException.ThrowIfNull(columnDomains);
            if (textCount is { } n && columnDomains.Count != n && columnDomains.Count != 0)
                throw new ArgumentException($"{columnDomains.Count} column domains for {n} texts.", nameof(columnDomains));
            Names = [.. columnDomains.OfType<string>().Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            var number = Names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
            _domainOfColumn = [.. columnDomains.Select(d => d is { Length: > 0 } ? number[d] : -1)];
        }

        public string[] Names { get; }

        /// <summary>
        /// The domain whose texts the model predicts best relative to the other models: the largest mean of q_is
        /// over the domain's texts (q removes the model's overall level and each text's difficulty, §1.4).
        /// </summary>
        public string? StrongestOf(ReadOnlySpan<double> q)
        {
            if (Names.Length == 0)
                return null;
            var sums = new double[Names.Length];
            var counts = new int[Names.Length];
            for (var s = 0; s < q.Length; s++)
            {
                if (_domainOfColumn[s] is var d and >= 0)
                {
                    sums[d] += q[s];
                    counts[d]++;
                }
            }
            var best = 0;
            for (var d = 1; d < Names.Length; d++)
            {
                if (sums[d] / counts[d] > sums[best] / counts[best])
                    best = d;
            }
            return Names[best];
        }
    }
}
