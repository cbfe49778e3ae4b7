using System.Globalization;

namespace LogLikeMap.Web.Components.Map;

/// <summary>How numbers about models read on every page (one place, so the map, panel and tables agree).</summary>
public static class ModelFormat
{
    /// <summary>124000000 -> "124M", 1300000000 -> "1.3B", 7000 -> "7K".</summary>
    public static string Parameters(long? parameters)
    {
        if (parameters is not { } p)
            return "unknown";
        (double value, string suffix) = p switch
        {
            >= 1_000_000_000_000 => (p / 1e12, "T"),
            >= 1_000_000_000 => (p / 1e9, "B"),
            >= 1_000_000 => (p / 1e6, "M"),
            >= 1_000 => (p / 1e3, "K"),
            _ => (p, ""),
        };
        return value.ToString(value >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>
    /// KL in nats per text with four significant digits and never an exponent: 12.35, 250.0, 1235, 0.01230.
    /// </summary>
    public static string KlNats(double nats) => FourSignificantDigits(nats);

    /// <summary>A text's variance across models of its column of Q, in nats², read like KL: four significant digits.</summary>
    public static string TextVariance(double variance) => FourSignificantDigits(variance);

    /// <summary>KL in bits per byte: the follow-up papers report 0.01 to 3, so three decimals; a dash where the texts' bytes are unknown.</summary>
    public static string KlBitsPerByte(double? bitsPerByte) => bitsPerByte?.ToString("0.000", CultureInfo.InvariantCulture) ?? "–";

    public static string LogLikelihood(double nats) => nats.ToString("0.0", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset? date) =>
        date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "unknown";

    /// <summary>Longest line of a name in the map's hover card, in characters.</summary>
    public const int HoverLineLength = 40;

    /// <summary>
    /// A name HTML-escaped for Plotly's hover card, in lines of at most <see cref="HoverLineLength"/> characters. The card
    /// is SVG text, which never wraps and so overflowed the map with long names; lines end after a '/', '-', '_' or '.'
    /// where one falls in the second half of a line, else at the length (a name without separators has no better place).
    /// </summary>
    public static string HoverLines(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lines = new List<string>();
        var rest = name;
        while (rest.Length > HoverLineLength)
        {
            var cut = rest.LastIndexOfAny(['/', '-', '_', '.'], HoverLineLength - 1) + 1;
            if (cut <= HoverLineLength / 2)
                cut = HoverLineLength;
            lines.Add(rest[..cut]);
            rest = rest[cut..];
        }
        lines.Add(rest);
        return string.Join("<br>", lines.Select(System.Net.WebUtility.HtmlEncode));
    }

    private static string FourSignificantDigits(double value)
    {
        var decimals = value == 0 || !double.IsFinite(value) ? 0 : Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 8);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
