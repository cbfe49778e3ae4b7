using System.Text;

namespace LogLikeMap.Web.Services;

/// <summary>One text of the map's text set, as the texts page and GET /api/texts show it.</summary>
/// <param name="Index">The text's index in the text set: its column of L.</param>
/// <param name="Domain">Its <c>pile_set_name</c>; null when the text set gives none.</param>
/// <param name="ByteLength">Its length in UTF-8 bytes.</param>
/// <param name="Preview">Its start in at most <see cref="TextSetTable.PreviewLength"/> characters, each run of white space as one space, "…" when cut.</param>
/// <param name="Variance">
/// The variance across the map's models of its column of Q (clipped, double-centred log-likelihoods), in
/// nats²: the higher, the more the text tells models apart (<see cref="Core.Map.TextVariance"/>).
/// </param>
public sealed record TextRow(long Index, string? Domain, int ByteLength, string Preview, double Variance);

/// <summary>How many of the map's texts come from one domain.</summary>
public sealed record DomainCount(string? Domain, int Texts);

/// <summary>The columns the texts table sorts by.</summary>
public enum TextOrder
{
    Variance,
    Index,
    Domain,
    ByteLength,
}

/// <summary>A page of texts: only <paramref name="Domain"/>'s (all when null), sorted, then <paramref name="Skip"/> and <paramref name="Take"/>.</summary>
public sealed record TextQuery(string? Domain, TextOrder OrderBy, bool Descending, int Skip, int Take);

/// <param name="Total">How many texts pass the domain filter, before paging.</param>
public sealed record TextPage(int Total, IReadOnlyList<TextRow> Rows);

/// <summary>
/// The text set the current map was built on, one row per column of Q, with each text's variance across the
/// map's models. Immutable; built once per map version (<see cref="ITextSetService"/>) and queried per page.
/// </summary>
public sealed class TextSetTable
{
    public const int PreviewLength = 120;

    private readonly TextRow[] _rows;

    public TextSetTable(string name, string contentHash, int modelCount, IReadOnlyList<TextRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Name = name;
        ContentHash = contentHash;
        ModelCount = modelCount;
        _rows = [.. rows];
        Domains = [.. _rows.GroupBy(r => r.Domain)
            .Select(g => new DomainCount(g.Key, g.Count()))
            .OrderByDescending(d => d.Texts)
            .ThenBy(d => d.Domain, StringComparer.Ordinal)];
    }

    public static TextSetTable Empty { get; } = new("", "", 0, []);

    public string Name { get; }

    /// <summary>The text set's SHA-256 (<see cref="Core.TextSets.TextSet.ContentHash"/>): scores combine only on equal hashes.</summary>
    public string ContentHash { get; }

    /// <summary>K, the models the variances are taken over.</summary>
    public int ModelCount { get; }

    public int TextCount => _rows.Length;

    /// <summary>Each domain with its number of texts, largest first.</summary>
    public IReadOnlyList<DomainCount> Domains { get; }

    public IReadOnlyList<TextRow> Rows => _rows;

    /// <summary>Filters, sorts (ties by index, so pages never overlap) and pages: a few milliseconds for 10,000 rows.</summary>
    public TextPage Query(TextQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Take);
        var matching = query.Domain is null ? [.. _rows] : _rows.Where(r => r.Domain == query.Domain).ToArray();
        var sign = query.Descending ? -1 : 1;
        Array.Sort(matching, (a, b) => Compare(a, b, query.OrderBy) is var c and not 0 ? sign * c : a.Index.CompareTo(b.Index));
        return new TextPage(matching.Length, [.. matching.Skip(query.Skip).Take(query.Take)]);
    }

    private static int Compare(TextRow a, TextRow b, TextOrder order) => order switch
    {
        TextOrder.Variance => a.Variance.CompareTo(b.Variance),
        TextOrder.Index => a.Index.CompareTo(b.Index),
        TextOrder.Domain => string.CompareOrdinal(a.Domain, b.Domain),
        TextOrder.ByteLength => a.ByteLength.CompareTo(b.ByteLength),
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Unknown text order."),
    };

    /// <summary>
    /// The start of a text for a table cell: at most <see cref="PreviewLength"/> characters, white-space runs
    /// (newlines included) as one space; a longer text is cut to make room for a closing "…", never between the
    /// two halves of a surrogate pair.
    /// </summary>
    public static string PreviewOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var preview = new StringBuilder(PreviewLength + 1);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = preview.Length > 0;
                continue;
            }
            if (pendingSpace)
                preview.Append(' ');
            pendingSpace = false;
            preview.Append(c);
            if (preview.Length > PreviewLength)
            {
                // Too long: the ellipsis takes the last of the PreviewLength characters.
                preview.Length = PreviewLength - 1;
                if (char.IsHighSurrogate(preview[^1]))
                    preview.Length--;
                if (preview[^1] == ' ')
                    preview.Length--;
                return preview.Append('…').ToString();
            }
        }
        return preview.ToString();
    }
}
