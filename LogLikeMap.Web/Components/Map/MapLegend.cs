using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Components.Map;

/// <summary>One line of a legend: a category, its colour (null where colour shows something else), how many models.</summary>
public sealed record LegendEntry(string Name, string? Colour, int Count, bool Hidden);

/// <summary>The legends next to the map: the family filter, and the colour key of a categorical colouring.</summary>
public static class MapLegend
{
    /// <summary>
    /// Every family with its model count and whether it is hidden. Families carry their colour only while the map is
    /// coloured by family; otherwise the chips only filter.
    /// </summary>
    /// <param name="families">The families' kept colours (<see cref="LogLikeMap.Web.Components.Map.FamilyPalette"/>); by default, colours in name order.</param>
    public static IReadOnlyList<LegendEntry> Families(IReadOnlyList<ModelPoint> models, MapViewState state, CategoryPalette? families = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(state);
        var palette = families ?? FamilyPalette(models);
        var counts = models.CountBy(m => m.Family).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return palette.Categories
            .Select(f => new LegendEntry(
                f,
                state.Colouring == MapColouring.Family ? palette.ColourOf(f) : null,
                counts[f],
                state.HiddenFamilies.Contains(f)))
            .ToList();
    }

    /// <summary>
    /// The colour key of a categorical colouring other than family (strongest domain, kind of change, training data),
    /// counting only the models that are shown.
    /// </summary>
    public static IReadOnlyList<LegendEntry> Categories(IReadOnlyList<ModelPoint> models, MapViewState state)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(state);
        var palette = PaletteOf(models, state.Colouring);
        var shown = models.Where(m => !state.HiddenFamilies.Contains(m.Family)).ToList();
        var entries = palette.Categories
            .Select(c => new LegendEntry(c, palette.ColourOf(c), shown.Count(m => state.Colouring.CategoryOf(m) == c), false))
            .ToList();
        var unknown = shown.Count(m => state.Colouring.CategoryOf(m) is null);
        if (unknown > 0)
            entries.Add(new LegendEntry("unknown", CategoryPalette.Unknown, unknown, false));
        return entries;
    }

    public static CategoryPalette FamilyPalette(IReadOnlyList<ModelPoint> models) => new(models.Select(m => m.Family));

    /// <summary>One colour per category of <paramref name="colouring"/> among all models (shown or not), so colours stay put when families are hidden.</summary>
    public static CategoryPalette PaletteOf(IReadOnlyList<ModelPoint> models, MapColouring colouring) =>
        new(models.Select(m => colouring.CategoryOf(m)).OfType<string>());
}
