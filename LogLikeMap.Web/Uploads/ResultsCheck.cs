using LogLikeMap.Core.PaperData;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Reads a paper-format results file (<c>index</c>, <c>num-tokens</c>, <c>log-likelihood</c> per line) and
/// lines it up with the map's text set: every text index exactly once, nothing else, finite numbers.
/// </summary>
public static class ResultsCheck
{
    /// <summary>The scores, checked to cover <paramref name="textIndices"/> (the map's columns) exactly.</summary>
    /// <param name="shownName">How messages name the file (the user's file name, not a server path).</param>
    public static IReadOnlyList<TextScore> Read(string path, string shownName, IReadOnlyList<long> textIndices, string textSetName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(textIndices);
        IReadOnlyList<TextScore> scores;
        try
        {
            scores = ResultsFile.Read(path, ct);
        }
        catch (InvalidDataException e)
        {
            throw new UploadRejectedException(e.Message.Replace(path, shownName, StringComparison.Ordinal), e);
        }

        var column = new Dictionary<long, int>(textIndices.Count);
        for (var s = 0; s < textIndices.Count; s++)
            column[textIndices[s]] = s;
        var seen = new bool[textIndices.Count];
        foreach (var score in scores)
        {
            if (!column.TryGetValue(score.Index, out var s))
            {
                throw new UploadRejectedException(
                    $"{shownName}: text index {score.Index} is not in the text set '{textSetName}' ({textIndices.Count} texts). " +
                    "Score the map's own texts (download them from the text set page) and upload those results.");
            }
            seen[s] = true;
        }
        var missing = Enumerable.Range(0, seen.Length).Where(s => !seen[s]).ToArray();
        if (missing.Length > 0)
        {
            var examples = string.Join(", ", missing.Take(5).Select(s => textIndices[s]));
            throw new UploadRejectedException(
                $"{shownName}: {missing.Length} of the {textIndices.Count} texts of '{textSetName}' have no score (text index {examples}" +
                $"{(missing.Length > 5 ? ", ..." : "")}). Every text needs exactly one line; finish scoring and upload again.");
        }
        return scores;
    }
}
