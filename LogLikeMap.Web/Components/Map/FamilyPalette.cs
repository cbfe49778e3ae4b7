using System.Text.Json;

namespace LogLikeMap.Web.Components.Map;

/// <summary>
/// Each family's colour, kept for good: the first time a family is drawn it takes the palette colour that the fewest
/// families hold (palette order breaks ties; several new families at once go in name order), and the choice is
/// written to a JSON file in the data folder. Adding a family therefore never recolours another, and neither does a
/// restart, a layout refresh or a deleted family (its colour stays reserved until every colour is in use twice as often).
/// </summary>
/// <remarks>
/// A map that predates the file gets its families in name order, which is the order colours were handed out before,
/// so the first start with this file changes no colour. Beyond 20 families colours repeat, least-used first.
/// </remarks>
public sealed class FamilyPalette
{
    /// <summary>The file's name in the data folder.</summary>
    public const string FileName = "family-colours.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly string _file;
    private readonly ILogger<FamilyPalette> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _colourOf;

    /// <param name="file">Where the colours are kept (created on the first new family).</param>
    public FamilyPalette(string file, ILogger<FamilyPalette> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        ArgumentNullException.ThrowIfNull(logger);
        _file = file;
        _logger = logger;
        _colourOf = Read(file, logger);
    }

    /// <summary>The palette for these families: stored colours, and new ones for families seen for the first time.</summary>
    public CategoryPalette For(IEnumerable<string> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        lock (_lock)
        {
            var wanted = families.Distinct(StringComparer.Ordinal).ToList();
            var added = wanted.Where(f => !_colourOf.ContainsKey(f)).Order(StringComparer.Ordinal).ToList();
            foreach (var family in added)
                _colourOf[family] = LeastUsedColour();
            if (added.Count > 0)
                Save(added);
            return new CategoryPalette(wanted.ToDictionary(f => f, f => _colourOf[f], StringComparer.Ordinal));
        }
    }

    private string LeastUsedColour()
    {
        var uses = _colourOf.Values.CountBy(c => c).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        return CategoryPalette.Colours.MinBy(c => uses.GetValueOrDefault(c))!;
    }

    private void Save(IReadOnlyList<string> added)
    {
        try
        {
            // Written beside and moved over, so a crash mid-write never leaves half a file.
            var temporary = _file + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(new SortedDictionary<string, string>(_colourOf, StringComparer.Ordinal), Json));
            File.Move(temporary, _file, overwrite: true);
            _logger.LogInformation("New families {Families} got their colours, kept in {File}.", added, _file);
        }
        catch (IOException e)
        {
            // The colours still hold for this run; the next new family tries to write them again.
            _logger.LogWarning(e, "Could not keep the family colours in {File}; they may change after a restart.", _file);
        }
    }

    private static Dictionary<string, string> Read(string file, ILogger logger)
    {
        if (!File.Exists(file))
            return new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var stored = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? [];
            return new Dictionary<string, string>(stored.Where(p => IsColour(p.Value)), StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            logger.LogError(e, "The family colours in {File} are not a JSON object of family names and #rrggbb colours; " +
                "families get colours afresh. Fix or delete the file and restart to keep them.", file);
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }

    private static bool IsColour(string? value) =>
        value is { Length: 7 } && value[0] == '#' && value.Skip(1).All(char.IsAsciiHexDigit);
}
