namespace LogLikeMap.Core.Map;

/// <summary>
/// The lineage (family) a model is closest to, and by how much: the nearest member of each lineage decides its
/// distance, and the margin is how much farther the next lineage's nearest member is (nats per text, docs/method.md
/// §1.5). On a map whose families are lineages (a base model and what was made from it) this answers "which base is
/// this model from?" for a new upload, with the margin saying how clear the answer is.
/// </summary>
/// <param name="Lineage">The family of the nearest model.</param>
/// <param name="KlNats">KL to that lineage's nearest member.</param>
/// <param name="RunnerUp">The next closest lineage, or null when every other model is of the same lineage.</param>
/// <param name="RunnerUpKlNats">KL to the runner-up's nearest member.</param>
public sealed record LineageMatch(string Lineage, double KlNats, string? RunnerUp, double? RunnerUpKlNats)
{
    /// <summary>KL to the runner-up minus KL to the nearest lineage (≥ 0), or null without a runner-up.</summary>
    public double? MarginNats => RunnerUpKlNats - KlNats;
}

public static class NearestLineage
{
    /// <summary>
    /// The nearest lineage among <paramref name="others"/>: every other model on the map with its lineage and its KL
    /// from the model asked about (in any order); null when there are none. Ties go to the lineage whose name sorts first.
    /// </summary>
    public static LineageMatch? Of(IEnumerable<(string Lineage, double KlNats)> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var nearestOfEach = others
            .GroupBy(o => o.Lineage, StringComparer.Ordinal)
            .Select(g => (Lineage: g.Key, KlNats: g.Min(o => o.KlNats)))
            .OrderBy(l => l.KlNats)
            .ThenBy(l => l.Lineage, StringComparer.Ordinal)
            .Take(2)
            .ToList();
        return nearestOfEach.Count switch
        {
            0 => null,
            1 => new LineageMatch(nearestOfEach[0].Lineage, nearestOfEach[0].KlNats, null, null),
            _ => new LineageMatch(nearestOfEach[0].Lineage, nearestOfEach[0].KlNats, nearestOfEach[1].Lineage, nearestOfEach[1].KlNats),
        };
    }
}
