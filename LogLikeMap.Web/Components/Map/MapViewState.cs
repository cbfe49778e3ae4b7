using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace LogLikeMap.Web.Components.Map;

/// <summary>A visible range of one map axis.</summary>
public readonly record struct AxisRange(double From, double To);

/// <summary>
/// Everything that makes a view of the map reproducible from its link: the selected model, the colouring,
/// the hidden families, k, and the zoom with the layout version it was drawn on. The query string is the only place it
/// lives between visits.
/// </summary>
public sealed record MapViewState
{
    public const int DefaultK = 10;
    public const int MaxK = 100;

    public string? Selected { get; init; }
    public MapColouring Colouring { get; init; } = MapColouring.Family;
    public ImmutableSortedSet<string> HiddenFamilies { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
    public int K { get; init; } = DefaultK;

    /// <summary>Zoomed ranges; null means "fit all models".</summary>
    public AxisRange? X { get; init; }
    public AxisRange? Y { get; init; }

    /// <summary>
    /// The stored layout version the zoom belongs to ("v" in a link): a refresh moves every point, so a zoom from
    /// another version is dropped rather than shown as an empty region (<see cref="MapViewport.ForLayout"/>).
    /// </summary>
    public int? LayoutVersion { get; init; }

    public static MapViewState Default { get; } = new();

    public MapViewState WithFamilyToggled(string family) => this with
    {
        HiddenFamilies = HiddenFamilies.Contains(family) ? HiddenFamilies.Remove(family) : HiddenFamilies.Add(family),
    };

    /// <summary>
    /// Reads a query string ("?model=...&amp;k=5"). A hand-edited or stale link never fails: a value that does
    /// not parse falls back to its default, and k is kept within 1..<see cref="MaxK"/>.
    /// </summary>
    public static MapViewState Parse(string? query)
    {
        var values = QueryHelpers.ParseQuery(query);
        var state = new MapViewState();

        if (values.TryGetValue("model", out var model) && !string.IsNullOrWhiteSpace(model))
            state = state with { Selected = model.ToString() };
        if (values.TryGetValue("colour", out var colour) && MapColourings.FromUrlToken(colour) is { } colouring)
            state = state with { Colouring = colouring };
        if (values.TryGetValue("hide", out var hidden))
        {
            state = state with
            {
                HiddenFamilies = hidden.Where(f => !string.IsNullOrEmpty(f)).Select(f => f!)
                    .ToImmutableSortedSet(StringComparer.Ordinal),
            };
        }

        if (values.TryGetValue("k", out var k) && int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kValue))
            state = state with { K = Math.Clamp(kValue, 1, MaxK) };

        if (values.TryGetValue("v", out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            state = state with { LayoutVersion = version };

        return state with { X = ParseRange(values, "x"), Y = ParseRange(values, "y") };
    }

    /// <summary>The query string for this state, with defaults left out so links stay short.</summary>
    public string ToQueryString()
    {
        var query = new QueryBuilder();
        if (Selected is not null)
            query.Add("model", Selected);
        if (Colouring != MapColouring.Family)
            query.Add("colour", Colouring.UrlToken());
        foreach (var family in HiddenFamilies)
            query.Add("hide", family);
        if (K != DefaultK)
            query.Add("k", K.ToString(CultureInfo.InvariantCulture));
        AddRange(query, "x", X);
        AddRange(query, "y", Y);
        if (LayoutVersion is { } version && (X is not null || Y is not null))
            query.Add("v", version.ToString(CultureInfo.InvariantCulture));
        return query.ToQueryString().Value ?? string.Empty;
    }

    // Record equality would compare the set by reference; a state read back from its link must equal the original.
    public bool Equals(MapViewState? other) =>
        other is not null
        && Selected == other.Selected
        && Colouring == other.Colouring
        && HiddenFamilies.SetEquals(other.HiddenFamilies)
        && K == other.K
        && X == other.X
        && Y == other.Y
        && LayoutVersion == other.LayoutVersion;

    public override int GetHashCode() =>
        HashCode.Combine(Selected, Colouring, string.Join('\n', HiddenFamilies), K, X, Y, LayoutVersion);

    private static AxisRange? ParseRange(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> values, string axis)
    {
        if (!values.TryGetValue(axis + "0", out var from) || !values.TryGetValue(axis + "1", out var to))
            return null;
        if (!double.TryParse(from, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            || !double.TryParse(to, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
            || !double.IsFinite(a) || !double.IsFinite(b) || a == b)
            return null;
        return new AxisRange(a, b);
    }

    private static void AddRange(QueryBuilder query, string axis, AxisRange? range)
    {
        if (range is not { } r)
            return;
        // "R" round-trips every double exactly, so a reopened link shows the very same zoom.
        query.Add(axis + "0", r.From.ToString("R", CultureInfo.InvariantCulture));
        query.Add(axis + "1", r.To.ToString("R", CultureInfo.InvariantCulture));
    }
}
