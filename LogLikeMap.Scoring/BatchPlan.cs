namespace LogLikeMap.Scoring;

/// <summary>
/// Groups texts into batches of similar length so that right padding wastes little: longest first (a batch that
/// does not fit in memory fails at once, not at the end), each batch as many texts as fit in the token budget
/// counted with padding, i.e. count x longest. With a <c>longSequenceThreshold</c>
/// (<see cref="Models.CausalLanguageModel.LongSequenceThreshold"/>) no batch holds texts from both sides of it.
/// </summary>
internal static class BatchPlan
{
    /// <summary>Batches of positions in <paramref name="lengths"/>; every position appears in exactly one batch.</summary>
    public static IReadOnlyList<int[]> ByLength(IReadOnlyList<int> lengths, int maxBatchTokens, int? longSequenceThreshold = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchTokens, 1);
        var order = Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ThenBy(i => i).ToArray();
        var longCount = longSequenceThreshold is { } threshold ? order.Count(i => lengths[i] > threshold) : 0;
        var batches = new List<int[]>();
        var start = 0;
        while (start < order.Length)
        {
            var longest = Math.Max(1, lengths[order[start]]);
            // The long texts come first in this order: a batch among them stops where they end.
            var end = start < longCount ? longCount : order.Length;
            var count = Math.Clamp(maxBatchTokens / longest, 1, end - start);
            batches.Add(order[start..(start + count)]);
            start += count;
        }
        return batches;
    }
}
