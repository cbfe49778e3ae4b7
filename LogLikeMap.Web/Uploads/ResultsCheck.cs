using LogLikeMap.Core.Formats;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Reads a paper-format results file (<c>index</c>, <c>num-tokens</c>, <c>log-likelihood</c> per line) and
/// lines it up with the map's text set: every text index exactly once, nothing else, finite numbers that can be
/// log-likelihoods (<see cref="ImpossibleScore"/>).
/// </summary>
public static class ResultsCheck
{
    /// <summary>How many times the map's clip threshold a log-likelihood may reach before it is taken for a wrong unit or sign.</summary>
    public const double FloorFactor = 100;

    /// <summary>The scores, checked to cover <paramref name="textIndices"/> (the map's columns) exactly.</summary>
    /// <param name="shownName">How messages name the file (the user's file name, not a server path).</param>
    /// <param name="clipThreshold">The map's clip threshold c (null while the map is empty): values below
    /// <see cref="FloorFactor"/> x c are refused.</param>
    public static IReadOnlyList<TextScore> Read(
        string path, string shownName, IReadOnlyList<long> textIndices, string textSetName, double? clipThreshold, CancellationToken ct)
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

        foreach (var score in scores)
        {
            if (ImpossibleScore(score, clipThreshold) is { } problem)
                throw new UploadRejectedException($"{shownName}, line {LineOf(path, score.Index)}: {problem}");
        }

        try
        {
            new TextColumns(textIndices, textSetName).Align(scores, shownName);
        }
        catch (InvalidDataException e)
        {
            throw new UploadRejectedException(
                $"{e.Message} Score the map's own texts (download them from the text set page) and upload those results.", e);
        }
        return scores;
    }

    /// <summary>
    /// Why a score cannot be a log-likelihood in nats (docs/method.md §1.2), or null: a sum of log-probabilities is never
    /// positive; a text of 0 or 1 tokens has no token after the first to score, so its sum is 0; and a value
    /// <see cref="FloorFactor"/> times below the map's clip threshold is not one model's log-likelihood of these
    /// texts (a sum in another unit, or of something else).
    /// </summary>
    public static string? ImpossibleScore(TextScore score, double? clipThreshold)
    {
        if (score.LogLikelihood > 0)
        {
            return $"text {score.Index} has log-likelihood {score.LogLikelihood:R}, but a log-likelihood is a sum of log-probabilities " +
                   "and never positive. Upload the sum of log p(token) in nats (natural log), not a loss or a probability.";
        }
        if (score.TokenCount <= 1 && score.LogLikelihood != 0)
        {
            return $"text {score.Index} has {score.TokenCount} token(s) and log-likelihood {score.LogLikelihood:R}, but the first token " +
                   "is never scored, so a text of 0 or 1 tokens has log-likelihood 0. Check that num-tokens counts the text's tokens.";
        }
        if (clipThreshold is < 0 and var c && score.LogLikelihood < FloorFactor * c)
        {
            return $"text {score.Index} has log-likelihood {score.LogLikelihood:R}, more than {FloorFactor:0} times the map's clip " +
                   $"threshold ({c:0.#}, below which the map clips every value). It cannot be one model's log-likelihood of this text " +
                   "in nats: check the unit (natural log, summed over tokens) and that the file scores these texts.";
        }
        return null;
    }

    /// <summary>The line of the file that holds a text index (messages name lines; the scores come back sorted).</summary>
    private static int LineOf(string path, long index)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                if (json.RootElement.TryGetProperty("index", out var value) && value.TryGetInt64(out var found) && found == index)
                    return lineNumber;
            }
            catch (System.Text.Json.JsonException)
            {
                // Blank or odd lines were accepted by the reader only if they hold no score; they are not the line sought.
            }
        }
        return lineNumber;
    }
}
