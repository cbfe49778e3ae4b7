using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// A log-likelihood matrix as read from a file, with what the file says about its columns.
/// </summary>
/// <param name="Matrix">K models x N texts, rows in the file's model order.</param>
/// <param name="TextIndices">The paper's text <c>index</c> of each column (0..N-1 when the file does not say).</param>
/// <param name="TokenCounts">Per model, the number of tokens of each text, where the file has them (results JSON Lines).</param>
public sealed record LoadedMatrix(
    LogLikelihoodMatrix Matrix,
    IReadOnlyList<long> TextIndices,
    IReadOnlyDictionary<string, int[]> TokenCounts);
