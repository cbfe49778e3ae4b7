using System.Globalization;
using System.Text.Json;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Components.Map;

/// <summary>Zoom and pan on the map: where to look when a model is found, and what a Plotly relayout means.</summary>
public static class MapViewport
{
    /// <summary>Share of the whole map's width shown around a model found by search when nothing was zoomed.</summary>
    public const double FoundModelShare = 0.3;

    /// <summary>
    /// Centres the view on <paramref name="model"/>. A zoomed view keeps its size (a pan); an unzoomed one zooms to
    /// <see cref="FoundModelShare"/> of the map's extent, enough to see the model's neighbourhood.
    /// </summary>
    public static MapViewState CentreOn(MapViewState state, ModelPoint model, IReadOnlyList<ModelPoint> models)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(models);
        var xSpan = state.X is { } x ? Math.Abs(x.To - x.From) : DefaultSpan(models.Select(m => m.X));
        var ySpan = state.Y is { } y ? Math.Abs(y.To - y.From) : DefaultSpan(models.Select(m => m.Y));
        return state with
        {
            X = new AxisRange(model.X - xSpan / 2, model.X + xSpan / 2),
            Y = new AxisRange(model.Y - ySpan / 2, model.Y + ySpan / 2),
        };
    }

    /// <summary>
    /// The zoom of <paramref name="state"/> as it applies to the layout now drawn (<paramref name="version"/>): kept and
    /// stamped with that version when it was drawn on it, dropped ("show all") when it belongs to another version, since
    /// a refresh moves every point and the old box may hold none. A zoom from a link without a version (older links) is
    /// kept only when some model lies inside it. The model, colouring, filters and k are kept either way.
    /// </summary>
    public static MapViewState ForLayout(MapViewState state, int version, IReadOnlyList<ModelPoint> models)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(models);
        if (state.X is null && state.Y is null)
            return state with { LayoutVersion = null };
        var stale = state.LayoutVersion is { } drawnOn ? drawnOn != version : !models.Any(m => Shows(state, m));
        return stale ? state with { X = null, Y = null, LayoutVersion = null } : state with { LayoutVersion = version };
    }

    private static bool Shows(MapViewState state, ModelPoint model) =>
        Within(state.X, model.X) && Within(state.Y, model.Y);

    private static bool Within(AxisRange? range, double value) =>
        range is not { } r || (value >= Math.Min(r.From, r.To) && value <= Math.Max(r.From, r.To));

    /// <summary>
    /// The zoom after a Plotly relayout event: new ranges when the user zoomed or panned, none after "autoscale" or
    /// "reset axes", and the previous zoom when the event was about something else (a resize).
    /// </summary>
    public static MapViewState AfterRelayout(
        MapViewState state, object[]? xRange, object[]? yRange, IDictionary<string, JsonElement>? raw)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (raw is not null && (raw.ContainsKey("xaxis.autorange") || raw.ContainsKey("yaxis.autorange")))
            return state with { X = null, Y = null };
        var x = ToRange(xRange);
        var y = ToRange(yRange);
        return x is null && y is null ? state : state with { X = x ?? state.X, Y = y ?? state.Y };
    }

    private static double DefaultSpan(IEnumerable<double> coordinates)
    {
        var list = coordinates.ToList();
        var extent = list.Count == 0 ? 0 : list.Max() - list.Min();
        return extent > 0 ? extent * FoundModelShare : 1;
    }

    private static AxisRange? ToRange(object[]? range)
    {
        if (range is not { Length: 2 })
            return null;
        var from = ToDouble(range[0]);
        var to = ToDouble(range[1]);
        return from is { } a && to is { } b && double.IsFinite(a) && double.IsFinite(b) && a != b ? new AxisRange(a, b) : null;
    }

    // The interop hands numbers over as JsonElement (or already as numbers in tests and other callers).
    private static double? ToDouble(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        double d => d,
        float f => f,
        decimal m => (double)m,
        int i => i,
        long l => l,
        _ => null,
    };
}
