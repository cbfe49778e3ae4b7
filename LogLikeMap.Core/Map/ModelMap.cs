namespace LogLikeMap.Core.Map;

/// <summary>
/// A finished map of models (built by <see cref="ModelMapBuilder.Build"/>): the centred coordinates Q, the
/// 2-D layout, every model's nearest neighbours in the full space. Models are placed onto it, removed and
/// queried through <see cref="LiveMap.FromLayout"/>. Immutable; safe to share between threads.
/// </summary>
public sealed class ModelMap
{
    private readonly SquaredDistances _distances;
    private readonly MapPoint[] _layout;
    private readonly Neighbour[][] _neighbours;
    private readonly Dictionary<string, int> _indexByName;

    internal ModelMap(
        IReadOnlyList<string> modelNames,
        MapOptions options,
        CentredLogLikelihoods coordinates,
        SquaredDistances distances,
        PrincipalComponents principalComponents,
        MapPoint[] layout,
        Neighbour[][] neighbours,
        IReadOnlyDictionary<MapStage, TimeSpan> timings)
    {
        ModelNames = modelNames;
        Options = options;
        Coordinates = coordinates;
        _distances = distances;
        PrincipalComponents = principalComponents;
        _layout = layout;
        _neighbours = neighbours;
        Timings = timings;
        _indexByName = modelNames.Select((name, index) => (name, index)).ToDictionary(x => x.name, x => x.index, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> ModelNames { get; }

    /// <summary>K, the number of models on the map.</summary>
    public int ModelCount => ModelNames.Count;

    /// <summary>N, the number of texts.</summary>
    public int TextCount => Coordinates.TextCount;

    public MapOptions Options { get; }

    /// <summary>The clip threshold c (log-likelihoods below it were raised to it); new models reuse it.</summary>
    public double ClipThreshold => Coordinates.ClipThreshold;

    /// <summary>The column means subtracted from every model's row-centred vector; new models reuse them.</summary>
    public ReadOnlySpan<double> ColumnMeans => Coordinates.ColumnMeans;

    /// <summary>Q: the clipped, double-centred log-likelihood vectors (one row per model).</summary>
    public CentredLogLikelihoods Coordinates { get; }

    /// <summary>The full-space distances between the rows of Q (Gram matrix); exact neighbour queries read it.</summary>
    public SquaredDistances Distances => _distances;

    /// <summary>Top principal components of Q (the t-SNE starting point) and their explained variance.</summary>
    public PrincipalComponents PrincipalComponents { get; }

    /// <summary>The 2-D t-SNE layout, one point per model in <see cref="ModelNames"/> order.</summary>
    public IReadOnlyList<MapPoint> Layout => _layout;

    /// <summary>Each model's <see cref="MapOptions.NeighbourCount"/> nearest models in the full space, nearest first.</summary>
    public IReadOnlyList<IReadOnlyList<Neighbour>> Neighbours => _neighbours;

    /// <summary>Wall-clock time of each build stage.</summary>
    public IReadOnlyDictionary<MapStage, TimeSpan> Timings { get; }

    /// <summary>The index of the model called <paramref name="name"/>; throws naming it when it is not on the map.</summary>
    public int IndexOf(string name) =>
        _indexByName.TryGetValue(name, out var index)
            ? index
            : throw new KeyNotFoundException($"Model '{name}' is not on this map.");

    /// <summary>The <paramref name="count"/> nearest models to model <paramref name="model"/> in the full space, nearest first.</summary>
    public IReadOnlyList<Neighbour> NearestNeighbours(int model, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Neighbour.Ranked(_distances.Nearest(model, count), i => ModelNames[i], TextCount);
    }

    /// <summary>KL(p_i, p_j) ≈ |q_i - q_j|^2 / (2N) in nats per text, from the exact squared distance.</summary>
    public double Kl(int i, int j) => KlEstimate.NatsPerText(_distances.Exact(i, j), TextCount);
}
