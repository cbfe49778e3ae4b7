using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>A model's card as the store and the demo map describe it.</summary>
internal sealed record ModelCard(string Name, string Family, string? Architecture, long? Parameters, DateTimeOffset? Created);

/// <summary>
/// Turns log-likelihoods into <see cref="MapState"/>s with the engine (Core/Map): a full layout, a model placed
/// onto an existing layout (nobody else moves), a model taken off.
/// </summary>
internal static class MapStateBuilder
{
    /// <summary>
    /// A full layout of <paramref name="matrix"/> (clip, centre, t-SNE). Where <paramref name="storedPositions"/>
    /// holds a model, its stored point is shown instead of the new one, so a restart redraws the stored layout.
    /// </summary>
    public static MapState Build(
        MapText texts, IReadOnlyList<ModelCard> cards, LogLikelihoodMatrix matrix, MapOptions options, int version,
        IReadOnlyDictionary<string, MapPoint>? storedPositions, IProgress<MapProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(matrix);
        var engine = ModelMapBuilder.Build(matrix, options, progress, ct);
        var domains = DomainsOf(texts);
        var points = new ModelPoint[cards.Count];
        var rows = new MapRow[cards.Count];
        for (var i = 0; i < cards.Count; i++)
        {
            var position = storedPositions?.GetValueOrDefault(cards[i].Name) ?? engine.Layout[i];
            points[i] = PointOf(cards[i], matrix.Row(i), engine.Coordinates.Row(i), texts, domains, position, provisional: false);
            rows[i] = new MapRow(i, null);
        }
        var snapshot = new MapSnapshot(version, texts.Name, matrix.TextCount, texts.MeanBytes, points, domains, DateTimeOffset.UtcNow);
        return new MapState(snapshot, engine, rows, texts);
    }

    /// <summary>
    /// Adds a model to <paramref name="state"/> without moving anyone: its q from the layout's clip threshold and
    /// column means, its point optimised against the fixed others (out-of-sample t-SNE), flagged provisional.
    /// <paramref name="storedPosition"/> (a placement read back from the store) is shown instead of a new one.
    /// </summary>
    public static MapState Place(MapState state, ModelCard card, ReadOnlySpan<double> logLikelihoods, MapPoint? storedPosition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(card);
        var engine = state.Engine ?? throw new InvalidOperationException("The map has no layout yet; refresh it before placing models.");
        if (state.Contains(card.Name))
            throw new InvalidOperationException($"A model named '{card.Name}' is already on the map.");
        double[] q;
        MapPoint position;
        if (storedPosition is { } stored)
            (q, position) = (engine.Coordinates.CentreNewModel(logLikelihoods), stored);
        else
        {
            var placed = engine.Place(logLikelihoods, ct);
            (q, position) = (placed.Coordinates, placed.Position);
        }
        var domains = state.Snapshot.Domains;
        var point = PointOf(card, logLikelihoods, q, state.Texts, domains, position, provisional: true);
        var snapshot = state.Snapshot with { Models = [.. state.Snapshot.Models, point], BuiltAt = DateTimeOffset.UtcNow };
        return new MapState(snapshot, engine, [.. state.Rows, new MapRow(-1, q)], state.Texts);
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
        return new MapState(snapshot, state.Engine, [.. state.Rows.Where((_, i) => i != index)], state.Texts);
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
