namespace LogLikeMap.Core.TextSets;

/// <summary>
/// The paper's selection of texts from the candidate chunks (docs/method.md 1.1, <c>make-texts-10k-pile.ipynb</c>):
/// <c>random.seed(42); ds1 = random.sample(chunked, 40_000)[:10_000]</c>. Given the same candidates in the same
/// order, this returns the same texts in the same order as the paper's Python.
/// </summary>
public static class PaperSampling
{
    public const int PaperSeed = 42;
    public const int PaperSampleSize = 40_000;
    public const int PaperTextCount = 10_000;

    /// <summary>
    /// <c>random.seed(seed); random.sample(candidates, sampleSize)[:keep]</c>. The sample size matters only through
    /// Python's choice between its two sampling strategies, which is why it is a parameter.
    /// </summary>
    public static IReadOnlyList<T> Select<T>(
        IReadOnlyList<T> candidates, int keep = PaperTextCount, int sampleSize = PaperSampleSize, int seed = PaperSeed)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keep, sampleSize);
        return [.. new PythonRandom(seed).Sample(candidates, sampleSize).Take(keep)];
    }

    /// <summary>
    /// Chunks documents as the paper does and numbers the kept chunks in document order, the candidate pool that
    /// <see cref="Select{T}"/> samples from. Each candidate keeps its document's position and its chunk's position
    /// within the document (the paper's <c>pile_idx</c> and <c>chunk_idx</c>). Only a document's last piece can be
    /// 256 bytes or shorter (every other piece is at least 1021 bytes), so numbering before or after the length filter
    /// gives the same chunk indices.
    /// </summary>
    public static IReadOnlyList<(int Document, int Chunk, string Text)> Candidates(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var candidates = new List<(int, int, string)>();
        var document = 0;
        foreach (var text in documents)
        {
            var chunk = 0;
            foreach (var piece in PaperChunker.Chunks(text))
                candidates.Add((document, chunk++, piece));
            document++;
        }
        return candidates;
    }
}
