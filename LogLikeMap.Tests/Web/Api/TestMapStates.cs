using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>Published maps built by hand for tests that need no app: a stored layout redrawn with nothing clipped.</summary>
internal static class TestMapStates
{
    /// <summary>
    /// <paramref name="raw"/> (one row per name) redrawn at <paramref name="positions"/>, clipped at a threshold below
    /// every value (so nothing is clipped and an oracle needs no percentile), with its neighbour index when asked.
    /// </summary>
    public static MapState Redrawn(
        string[] names, double[][] raw, IReadOnlyList<MapPoint> positions, bool withNeighbours, string?[]? domains = null, double meanBytes = 1000)
    {
        var texts = raw[0].Length;
        var matrix = new LogLikelihoodMatrix(names, texts, [.. raw.SelectMany(r => r)]);
        var columns = domains ?? new string?[texts];
        var map = LiveMap.Redraw(matrix, double.MinValue, null, positions, columns, new MapOptions());
        if (withNeighbours)
            map = map.WithDistances(SquaredDistances.Build(map.LaidOut!, CancellationToken.None));
        return new MapState(map, Cards(names, raw), new MapText(1, "t", [.. Enumerable.Range(0, texts).Select(i => (long)i)], columns, meanBytes), 1);
    }

    public static Dictionary<string, ModelCard> Cards(string[] names, double[][] raw) =>
        names.Select((n, i) => new ModelCard(n, "f", null, null, null, raw[i].Average())).ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>The same map before its Gram matrix is built, as a restart shows it first: Q redrawn as it is, every model at its point.</summary>
    public static MapState WithoutNeighbourIndex(MapState ready)
    {
        var live = ready.Map;
        var q = live.LaidOut!;
        // Rows of Q are centred already: clipping nothing and subtracting zero column means gives Q back.
        var redrawn = LiveMap.Redraw(new LogLikelihoodMatrix([.. live.Models.Select(m => m.Name)], q.TextCount, q.Values.ToArray()),
            double.MinValue, new double[q.TextCount], [.. live.Models.Select(m => m.Position)], ready.Texts.Domains, live.Options);
        return ready.With(redrawn);
    }
}
