using System.Text;
using System.Text.Json.Nodes;

namespace LogLikeMap.Core.TextSets;

/// <summary>
/// One text of a text set in the paper's format: <c>index</c>, <c>text</c>, <c>pile_set_name</c> (its domain), and any
/// other fields of the line (the release has <c>pile_idx</c>, <c>chunk_idx</c>), kept as they were.
/// </summary>
/// <param name="Index">The text's index; columns of score vectors follow it.</param>
/// <param name="Text">The text itself.</param>
/// <param name="Domain">The paper's <c>pile_set_name</c>, e.g. "Gutenberg (PG-19)"; null when the line has none.</param>
/// <param name="ExtraFields">The line's other fields as JSON (an object), or null when there are none.</param>
public sealed record TextRecord(long Index, string Text, string? Domain, JsonObject? ExtraFields = null)
{
    public int ByteLength => Encoding.UTF8.GetByteCount(Text);
}
