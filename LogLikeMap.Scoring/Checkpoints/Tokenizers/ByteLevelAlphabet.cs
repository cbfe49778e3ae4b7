namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// GPT-2's byte-to-character table (<c>bytes_to_unicode</c> in openai/gpt-2 <c>encoder.py</c>, also Hugging Face's
/// ByteLevel pre-tokenizer): printable bytes map to themselves, the other 68 to U+0100 onwards, so that every byte
/// string is a printable vocabulary string (a space becomes 'Ġ').
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = Build();

    /// <summary>The vocabulary character of one byte.</summary>
    public static char Symbol(byte b) => CharOfByte[b];

    /// <summary>The vocabulary spelling of a text's UTF-8 bytes.</summary>
    public static string Spell(ReadOnlySpan<char> text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToArray());
        return string.Create(bytes.Length, bytes, (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                chars[i] = CharOfByte[source[i]];
        });
    }

    private static char[] Build()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }
}
