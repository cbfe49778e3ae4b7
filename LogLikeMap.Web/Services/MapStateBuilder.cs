using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>A model's card as the store describes it.</summary>
internal sealed record ModelCard(
    string Name, string Family, string? Architecture, long? Parameters, DateTimeOffset? Created, string? Change = null, string? Data = null,
    LogLikeMap.Core.Analysis.RunStep? Checkpoint = null, LogLikeMap.Core.Analysis.GridWeights? Grid = null);

/// <summary>
/// Turns log-likelihoods into <see cref="MapState"/>s with the engine (Core/Map): a full layout, a stored layout
/// redrawn, a model placed onto the shown map (nobody else moves), a model taken off.
/// </summary>
internal static class MapStateBuilder
{
    /// <summary>
    /// A full layout (clip, centre, t-SNE) of every model in <paramref name="matrix"/>, with points that would
    /// coincide on the plot moved apart (<see cref="PointSeparation"/>).
    /// </summary>
    public static (MapState State, ModelMap Engine) Build(
        MapText texts, IReadOnlyList<ModelCard> cards, LogLikelihoodMatrix matrix, MapOptions options, int version,
        IProgress<MapProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var engine = ModelMapBuilder.Build(matrix, options, progress, ct);
        return (Assemble(texts, cards, matrix, new LaidOutMap(engine.Coordinates, engine.Distances), PointSeparation.Separate(engine.Layout), version), engine);
    }

    /// <summary>
    /// Redraws a stored layout: Q of its models (clipped at <paramref name="clipPercentile"/> of their matrix, as
    /// the layout was) and their stored points; no t-SNE runs. The Gram matrix that neighbour queries need is
    /// left out (<see cref="MapState.WithDistances"/> adds it later), so a restart shows the map without waiting for it.
    /// </summary>
    public static MapState FromStoredLayout(
        MapText texts, IReadOnlyList<ModelCard> cards, LogLikelihoodMatrix matrix, double clipPercentile,
        IReadOnlyList<MapPoint> positions, int version)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Assemble(texts, cards, matrix, new LaidOutMap(CentredLogLikelihoods.FromMatrix(matrix, clipPercentile), null), positions, version);
    }

    /// <summary>
    /// Adds a model without moving anyone: its q from the layout's clip threshold and column means, its point
    /// placed by out-of-sample t-SNE against every point shown now (<see cref="Tsne.PlaceNewPoint"/>), flagged
    /// provisional, then moved to the nearest spot where it does not hide another point (<see cref="PointSeparation"/>).
    /// <paramref name="storedPosition"/> (a placement read back from the store) is used as it is.
    /// </summary>
    public static MapState Place(
        MapState state, ModelCard card, ReadOnlySpan<double> logLikelihoods, MapPoint? storedPosition, TsneOptions tsne, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(card);
        var laidOut = state.LaidOut ?? throw new InvalidOperationException("The map has no layout yet; refresh it before placing models.");
        if (state.Contains(card.Name))
            throw new InvalidOperationException($"A model named '{card.Name}' is already on the map.");
        var q = laidOut.CentreNewModel(logLikelihoods);
        ArgumentNullException.ThrowIfNull(tsne);
        var shown = state.Snapshot.Models;
        MapPoint[] points = [.. shown.Select(m => new MapPoint(m.X, m.Y))];
        var perplexity = tsne.PerplexityFor(shown.Count + 1);
        var position = storedPosition ?? PointSeparation.FreeSpotNear(
            Tsne.PlaceNewPoint(points, Nearest(state, q, TsneAffinities.NeighbourCount(shown.Count + 1, perplexity)), perplexity, ct), points);
        var point = PointOf(card, logLikelihoods, q, new TextDomains(state.Texts), position, provisional: true);
        var snapshot = state.Snapshot with { Models = [.. shown, point], BuiltAt = DateTimeOffset.UtcNow };
        return new MapState(snapshot, state.Layout, [.. state.Rows, new MapRow(-1, q)], state.Texts);
    }

    /// <summary>Takes a model off the map; the others keep their points until the next refresh.</summary>
    public static MapState Remove(MapState state, string modelName)
    {
        ArgumentNullException.ThrowIfNull(state);
        var index = state.Snapshot.Models.Select(m => m.Name).ToList().IndexOf(modelName);
        if (index < 0)
            return state;
        var snapshot = state.Snapshot with
        {
            Models = [.. state.Snapshot.Models.Where((_, i) => i != index)],
            BuiltAt = DateTimeOffset.UtcNow,
        };
        return new MapState(snapshot, state.Layout, [.. state.Rows.Where((_, i) => i != index)], state.Texts);
    }

    private static MapState Assemble(
        MapText texts, IReadOnlyList<ModelCard> cards, LogLikelihoodMatrix matrix, LaidOutMap layout, IReadOnlyList<MapPoint> positions, int version)
    {
        var q = layout.Q;
        var domains = new TextDomains(texts);
        var points = new ModelPoint[cards.Count];
        var rows = new MapRow[cards.Count];
        for (var i = 0; i < cards.Count; i++)
        {
            points[i] = PointOf(cards[i], matrix.Row(i), q.Row(i), domains, positions[i], provisional: false);
            rows[i] = new MapRow(i, null);
        }
        var snapshot = new MapSnapshot(version, texts.Name, matrix.TextCount, texts.MeanBytes, points, domains.Names, DateTimeOffset.UtcNow);
        return new MapState(snapshot, layout, rows, texts);
    }

    /// <summary>The shown models nearest to <paramref name="q"/> in the full space, as indices into the snapshot.</summary>
    private static ModelDistance[] Nearest(MapState state, double[] q, int count)
    {
        var all = new ModelDistance[state.Snapshot.Models.Count];
        for (var j = 0; j < all.Length; j++)
            all[j] = new ModelDistance(j, SquaredDistances.Exact(q, state.Q(j)));
        Array.Sort(all, (a, b) => a.SquaredDistance != b.SquaredDistance ? a.SquaredDistance.CompareTo(b.SquaredDistance) : a.Model.CompareTo(b.Model));
        return all[..Math.Min(count, all.Length)];
    }

    private static ModelPoint PointOf(
        ModelCard card, ReadOnlySpan<double> raw, ReadOnlySpan<double> q, TextDomains domains, MapPoint position, bool provisional)
    {
        var sum = 0.0;
        foreach (var value in raw)
            sum += value;
        return new ModelPoint(card.Name, card.Family, card.Architecture, card.Parameters, card.Created, sum / raw.Length,
            domains.StrongestOf(q), position.X, position.Y, provisional, card.Change, card.Data, card.Checkpoint, card.Grid);
    }

    /// <summary>
    /// The text domains of the map's columns, numbered once per map: a model's strongest domain is then one pass
    /// over arrays (looking each column's domain up by name cost seconds at 1,018 models x 10,000 texts).
    /// </summary>
    private sealed class TextDomains
    {
        private readonly int[] _domainOfColumn;

        public TextDomains(MapText texts)
        {
            Names = [.. texts.Domains.OfType<string>().Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            var number = Names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
            _domainOfColumn = [.. texts.Domains.Select(d => d is { Length: > 0 } ? number[d] : -1)];
        }

        /// <summary>The distinct domains, in ordinal order.</summary>
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
