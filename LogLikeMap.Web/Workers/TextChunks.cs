namespace LogLikeMap.Web.Workers;

/// <summary>
/// How a text set is cut for scoring with a shared store: chunks of a fixed number of texts in position order (the last
/// shorter), and shards as contiguous ranges of chunks. Every worker computes the same cut from the numbers in the
/// upload's manifest, and batching is per chunk, so a vector is the same whichever workers scored which chunks.
/// </summary>
public static class TextChunks
{
    public static int Count(int textCount, int chunkTexts) => (textCount + chunkTexts - 1) / chunkTexts;

    /// <summary>The positions of a chunk's texts: [first, first + length).</summary>
    public static (int First, int Length) Positions(int chunk, int textCount, int chunkTexts)
    {
        var first = chunk * chunkTexts;
        return (first, Math.Min(chunkTexts, textCount - first));
    }

    /// <summary>The chunks of shard <paramref name="shard"/> of <paramref name="shards"/>: as equal as whole chunks allow.</summary>
    public static IReadOnlyList<int> OfShard(int chunkCount, int shard, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
        var first = (int)((long)shard * chunkCount / shards);
        var end = (int)((long)(shard + 1) * chunkCount / shards);
        return [.. Enumerable.Range(first, end - first)];
    }
}
