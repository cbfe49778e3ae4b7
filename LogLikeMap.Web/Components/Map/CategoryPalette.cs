namespace LogLikeMap.Web.Components.Map;

/// <summary>
/// Colours for categories (families, text domains). Built from names alone, categories are sorted by name before
/// colours are handed out, so a category keeps its colour whatever order the models arrive in; families come with
/// their stored colours instead (<see cref="FamilyPalette"/>), so adding one never recolours another.
/// </summary>
public sealed class CategoryPalette
{
    /// <summary>Tableau 10 followed by its lighter half (Tableau 20): distinct on light and dark backgrounds.</summary>
    public static IReadOnlyList<string> Colours { get; } =
    [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
        "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
    ];

    /// <summary>The colour of points whose category is unknown.</summary>
    public const string Unknown = "#9e9e9e";

    private readonly Dictionary<string, string> _colourOf;

    public CategoryPalette(IEnumerable<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        Categories = categories.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        _colourOf = Categories.Select((c, i) => (c, Colours[i % Colours.Count]))
            .ToDictionary(p => p.c, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>Categories with colours chosen elsewhere (a family's stored colour); listed by name.</summary>
    public CategoryPalette(IReadOnlyDictionary<string, string> colourOf)
    {
        ArgumentNullException.ThrowIfNull(colourOf);
        Categories = colourOf.Keys.Order(StringComparer.Ordinal).ToList();
        _colourOf = new Dictionary<string, string>(colourOf, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Categories { get; }

    public string ColourOf(string? category) =>
        category is not null && _colourOf.TryGetValue(category, out var colour) ? colour : Unknown;
}
