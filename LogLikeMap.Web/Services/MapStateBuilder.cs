using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>A model's card as the store describes it.</summary>
internal sealed record ModelCard(string Name, string Family, string? Architecture, long? Parameters, DateTimeOffset? Created);

/// <summary>
/// Turns log-likelihoods into <see cref="MapState"/>s with the engine (Core/Map): a full layout, a stored layout
/// redrawn, a model placed onto the shown map (nobody else moves), a model taken off.
/// </summary>
internal static class MapStateBuilder
{
    /// <summary>A full layout (clip, centre, t-SNE) of every model in <paramref name="matrix"/>.</summary>
    public static (MapState State, ModelMap Engine) Build(
        MapText texts, IReadOnlyList<ModelCard> cards, LogLikelihoodMatrix matrix, MapOptions options, int version,
        IProgress<MapProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var engine = ModelMapBuilder.Build(matrix, options, progress, ct);
        return (Assemble(texts, cards, matrix, new LaidOutMap(engine.Coordinates, engine.Distances), engine.Layout, version), engine);
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
    /// provisional. <paramref name="storedPosition"/> (a placement read back from the store) is used as it is.
    /// </summary>
    public static MapState Place(
        MapState state, ModelCard card, ReadOnlySpan<double> logLikelihoods, MapPoint? storedPosition, double perplexity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(card);
        var laidOut = state.LaidOut ?? throw new InvalidOperationException("The map has no layout yet; refresh it before placing models.");
        if (state.Contains(card.Name))
            throw new InvalidOperationException($"A model named '{card.Name}' is already on the map.");
        var q = laidOut.CentreNewModel(logLikelihoods);
        var shown = state.Snapshot.Models;
        var position = storedPosition ?? Tsne.PlaceNewPoint(
            [.. shown.Select(m => new MapPoint(m.X, m.Y))], Nearest(state, q, TsneAffinities.NeighbourCount(shown.Count + 1, perplexity)), perplexity, ct);
        var point = PointOf(card, logLikelihoods, q, state.Texts, state.Snapshot.Domains, position, provisional: true);
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
        var domains = DomainsOf(texts);
        var points = new ModelPoint[cards.Count];
        var rows = new MapRow[cards.Count];
        for (var i = 0; i < cards.Count; i++)
        {
            points[i] = PointOf(cards[i], matrix.Row(i), q.Row(i), texts, domains, positions[i], provisional: false);
            rows[i] = new MapRow(i, null);
        }
        var snapshot = new MapSnapshot(version, texts.Name, matrix.TextCount, texts.MeanBytes, points, domains, DateTimeOffset.UtcNow);
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
        ModelCard card, ReadOnlySpan<double> raw, ReadOnlySpan<double> q, MapText texts, IReadOnlyList<string> domains, MapPoint position, bool provisional)
    {
        var sum = 0.0;
        foreach (var value in raw)
            sum += value;
        return new ModelPoint(card.Name, card.Family, card.Architecture, card.Parameters, card.Created, sum / raw.Length,
            StrongestDomain(q, texts, domains), position.X, position.Y, provisional);
    }

    private static string[] DomainsOf(MapText texts) =>
        [.. texts.Domains.OfType<string>().Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The domain whose texts the model predicts best relative to the other models: the largest mean of q_is
    /// over the domain's texts (q removes the model's overall level and each text's difficulty, §1.4).
    /// </summary>
    private static string? StrongestDomain(ReadOnlySpan<double> q, MapText texts, IReadOnlyList<string> domains)
    {
        if (domains.Count == 0)
            return null;
        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        for (var s = 0; s < q.Length; s++)
        {
            if (texts.Domains[s] is not { Length: > 0 } domain)
                continue;
            var (sum, count) = sums.GetValueOrDefault(domain);
            sums[domain] = (sum + q[s], count + 1);
        }
        return sums.MaxBy(p => p.Value.Sum / p.Value.Count).Key;
    }
}
