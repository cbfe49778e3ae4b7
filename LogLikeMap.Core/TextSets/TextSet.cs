using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LogLikeMap.Core.TextSets;

/// <summary>
/// The N texts every model of a map is scored on, sorted by index. Its <see cref="ContentHash"/> identifies it: two
/// score vectors are only combined when they were scored on the same texts.
/// </summary>
public sealed class TextSet
{
    /// <summary>Starts the hashed bytes so a change of the encoding below can never collide with this one.</summary>
    private static readonly byte[] HashFormatTag = "loglikemap-textset-v1\n"u8.ToArray();

    public TextSet(IEnumerable<TextRecord> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var sorted = texts.OrderBy(t => t.Index).ToList();
        if (sorted.Count == 0)
            throw new ArgumentException("A text set needs at least one text.", nameof(texts));
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Index == sorted[i - 1].Index)
                throw new ArgumentException($"Text index {sorted[i].Index} appears twice.", nameof(texts));
        }
        Texts = sorted;
        ContentHash = ComputeHash(sorted);
        MeanByteLength = sorted.Average(t => (double)t.ByteLength);
    }

    public IReadOnlyList<TextRecord> Texts { get; }

    public int Count => Texts.Count;

    /// <summary>
    /// SHA-256 (lowercase hex) of "loglikemap-textset-v1\n" followed, per text in index order, by the index (int64
    /// little-endian), the text's UTF-8 length (int64 little-endian) and its UTF-8 bytes. Lengths make the encoding
    /// unambiguous; the domain and extra fields are not part of it because they do not change any score.
    /// </summary>
    public string ContentHash { get; }

    /// <summary>B̄, the mean UTF-8 byte length of the texts: KL in bits per byte divides by B̄ ln 2 (docs/method.md 1.5).</summary>
    public double MeanByteLength { get; }

    public IReadOnlyList<long> Indices => [.. Texts.Select(t => t.Index)];

    private static string ComputeHash(IReadOnlyList<TextRecord> texts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(HashFormatTag);
        Span<byte> number = stackalloc byte[8];
        foreach (var text in texts)
        {
            var bytes = Encoding.UTF8.GetBytes(text.Text);
            BinaryPrimitives.WriteInt64LittleEndian(number, text.Index);
            sha.AppendData(number);
            BinaryPrimitives.WriteInt64LittleEndian(number, bytes.Length);
            sha.AppendData(number);
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
