namespace LogLikeMap.Core.Scoring;

/// <summary>
/// Groups texts into batches of similar length so that right padding wastes little: longest first (a batch that
/// does not fit in memory fails at once, not at the end), each batch as many texts as fit in the token budget
/// counted with padding, i.e. count x longest.
/// </summary>
internal static class BatchPlan
{
    /// <summary>Batches of positions in <paramref name="lengths"/>; every position appears in exactly one batch.</summary>
    public static IReadOnlyList<int[]> ByLength(IReadOnlyList<int> lengths, int maxBatchTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchTokens, 1);
        var order = Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ThenBy(i => i).ToArray();
        var batches = new List<int[]>();
        var start = 0;
        while (start < order.Length)
        {
            var longest = Math.Max(1, lengths[order[start]]);
            var count = Math.Clamp(maxBatchTokens / longest, 1, order.Length - start);
            batches.Add(order[start..(start + count)]);
            start += count;
        }
        return batches;
    }
}
