using System.Text;

namespace LogLikeMap.Core.TextSets;

/// <summary>
/// The paper's chunker (docs/method.md section 1.1, <c>split_utf8</c> in <c>make-texts-10k-pile.ipynb</c>): cut a
/// document's UTF-8 bytes into consecutive chunks of at most <see cref="MaxBytes"/> bytes, moving each cut back to
/// the start of a code point, and keep only chunks of more than <see cref="MinBytesExclusive"/> bytes. There is no
/// word alignment: a chunk may start in the middle of a word, as in the paper.
/// </summary>
public static class PaperChunker
{
    public const int MaxBytes = 1024;

    /// <summary>A chunk is kept when its UTF-8 length is strictly greater than this (the paper's <c>min_bytes=256</c>).</summary>
    public const int MinBytesExclusive = 256;

    /// <summary>The chunks the paper keeps from one document, in order.</summary>
    public static IEnumerable<string> Chunks(string document) =>
        Split(document, MaxBytes).Where(chunk => Encoding.UTF8.GetByteCount(chunk) > MinBytesExclusive);

    /// <summary>
    /// All consecutive pieces of at most <paramref name="maxBytes"/> UTF-8 bytes, never splitting a code point; the
    /// last piece is the non-empty remainder. Python: <c>while len(encoded) &gt; max_bytes: split_pos = max_bytes;
    /// while encoded[split_pos] &amp; 0xC0 == 0x80: split_pos -= 1; ...</c>
    /// </summary>
    public static IEnumerable<string> Split(string document, int maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 4); // a code point needs up to 4 bytes
        var encoded = new UTF8Encoding(false, true).GetBytes(document);
        return SplitBytes(encoded, maxBytes);
    }

    private static IEnumerable<string> SplitBytes(byte[] encoded, int maxBytes)
    {
        var start = 0;
        while (encoded.Length - start > maxBytes)
        {
            var split = start + maxBytes;
            // The byte at the cut starts the next chunk; a continuation byte (10xxxxxx) means the cut is inside a code point.
            while ((encoded[split] & 0xC0) == 0x80)
                split--;
            yield return Encoding.UTF8.GetString(encoded, start, split - start);
            start = split;
        }
        if (start < encoded.Length)
            yield return Encoding.UTF8.GetString(encoded, start, encoded.Length - start);
    }
}
