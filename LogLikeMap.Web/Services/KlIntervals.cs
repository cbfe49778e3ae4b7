using System.Collections.Concurrent;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>
/// The bootstrap interval over texts of each neighbour's KL (<see cref="KlBootstrap"/>), from the same rows of Q the
/// neighbour index measures. Each pair is computed once per layout version and kept (B = 200 redraws of N texts cost
/// about 2N·B random integers: some milliseconds at N = 10,000).
/// </summary>
public sealed class KlIntervals(ModelMapService map)
{
    private readonly ConcurrentDictionary<(MapSnapshot, string, string), KlInterval> _cache = new();

    /// <summary>The neighbours with their intervals; a neighbour no longer on the map keeps none.</summary>
    public IReadOnlyList<Neighbour> WithIntervals(string modelName, IReadOnlyList<Neighbour> neighbours)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        var state = map.State;
        var models = state.Snapshot.Models;
        var self = IndexOf(models, modelName);
        if (self < 0)
            return neighbours;
        if (_cache.Keys.Any(k => !ReferenceEquals(k.Item1, state.Snapshot)))
            _cache.Clear();
        var result = new Neighbour[neighbours.Count];
        Parallel.For(0, neighbours.Count, r =>
        {
            var n = neighbours[r];
            var other = IndexOf(models, n.Name);
            result[r] = other < 0 ? n : n with
            {
                KlInterval = _cache.GetOrAdd((state.Snapshot, modelName, n.Name), _ => KlBootstrap.Interval(state.Q(self), state.Q(other))),
            };
        });
        return result;
    }

    private static int IndexOf(IReadOnlyList<ModelPoint> models, string name)
    {
        for (var i = 0; i < models.Count; i++)
        {
            if (models[i].Name == name)
                return i;
        }
        return -1;
    }
}
