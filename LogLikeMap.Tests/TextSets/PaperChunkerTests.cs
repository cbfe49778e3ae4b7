using System.Text;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Tests.TextSets;

/// <summary>Hand-made UTF-8 cases, worked out by byte counting (docs/method.md 1.1).</summary>
public class PaperChunkerTests
{
    private static int Bytes(string s) => Encoding.UTF8.GetByteCount(s);

    [Fact]
    public void ATwoByteCodePointStraddlingByte1024MovesToTheNextChunk()
    {
        // "é" is C3 A9 at bytes 1023-1024; byte 1024 is a continuation byte, so the cut moves back to 1023.
        var text = new string('a', 1023) + "é" + new string('b', 300);

        var pieces = PaperChunker.Split(text).ToList();

        Assert.Equal([new string('a', 1023), "é" + new string('b', 300)], pieces);
        Assert.Equal([1023, 302], pieces.Select(Bytes));
    }

    [Fact]
    public void AFourByteCodePointStraddlingByte1024MovesToTheNextChunk()
    {
        // U+1F600 is F0 9F 98 80 at bytes 1022-1025: bytes 1024 and 1023 are continuation bytes, the cut is at 1022.
        var text = new string('a', 1022) + "\U0001F600" + new string('b', 400);

        var pieces = PaperChunker.Split(text).ToList();

        Assert.Equal([1022, 404], pieces.Select(Bytes));
        Assert.StartsWith("\U0001F600", pieces[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ACodePointEndingExactlyAtByte1024StaysInTheFirstChunk()
    {
        // "é" at bytes 1022-1023; byte 1024 is 'b', a start byte: the cut stays at 1024.
        var text = new string('a', 1022) + "é" + new string('b', 300);

        Assert.Equal([1024, 300], PaperChunker.Split(text).Select(Bytes));
    }

    [Fact]
    public void ExactlyMaxBytesIsOneChunk()
    {
        Assert.Equal([1024], PaperChunker.Split(new string('a', 1024)).Select(Bytes));
        Assert.Equal([1024, 1], PaperChunker.Split(new string('a', 1025)).Select(Bytes));
        Assert.Empty(PaperChunker.Split(""));
    }

    [Fact]
    public void AChunkOfExactly256BytesIsDroppedAnd257IsKept()
    {
        var dropped = PaperChunker.Chunks(new string('x', 1024) + new string('y', 256)).ToList();
        var kept = PaperChunker.Chunks(new string('x', 1024) + new string('y', 257)).ToList();

        Assert.Equal([new string('x', 1024)], dropped);
        Assert.Equal([new string('x', 1024), new string('y', 257)], kept);
    }

    [Fact]
    public void TheByteLimitCountsBytesNotCharacters()
    {
        // 300 three-byte characters (900 bytes) + 200 two-byte (400 bytes) = 1300 bytes: the cut at 1024 falls
        // 124 bytes into the two-byte run, on a start byte (even offset), so the first chunk is 1024 bytes.
        var text = new string('€', 300) + new string('ß', 200);

        var pieces = PaperChunker.Split(text).ToList();

        Assert.Equal([1024, 276], pieces.Select(Bytes));
        Assert.Equal(text, string.Concat(pieces));
    }
}
