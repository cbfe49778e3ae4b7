namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// A token matched in the text before the model sees it (tokenizer.json's <c>added_tokens</c>, or a special token
/// of tokenizer_config.json): <c>&lt;s&gt;</c>, <c>&lt;|endoftext|&gt;</c>, <c>&lt;|begin_of_text|&gt;</c>. The flags
/// mean what they mean in tokenizers' <c>AddedToken</c>.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool SingleWord, bool LeftStrip, bool RightStrip, bool Normalized, bool Special);

/// <summary>A stretch of text: either plain text for the model or one added token.</summary>
internal readonly record struct TextSegment(int Start, int End, AddedToken? Token);

/// <summary>
/// Finds added tokens in text as tokenizers' <c>AddedVocabulary</c> does: leftmost match first and, among matches
/// starting there, the longest; a <c>single_word</c> token only between non-word characters; <c>lstrip</c> /
/// <c>rstrip</c> swallow the whitespace beside the token.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Cuts text into plain stretches and added tokens, in order.</summary>
    public List<TextSegment> Split(string text)
    {
        var segments = new List<TextSegment>();
        var plainStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var token = LongestAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            var end = i + token.Content.Length;
            if (token.SingleWord && !(IsWordBoundary(text, i - 1) && IsWordBoundary(text, end)))
            {
                i = end; // The matcher consumed these characters even though the match is not used.
                continue;
            }
            var start = i;
            if (token.LeftStrip)
            {
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                    start--;
            }
            if (token.RightStrip)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                    end++;
            }
            if (start > plainStart)
                segments.Add(new TextSegment(plainStart, start, null));
            segments.Add(new TextSegment(start, end, token));
            plainStart = i = end;
        }
        if (plainStart < text.Length)
            segments.Add(new TextSegment(plainStart, text.Length, null));
        return segments;
    }

    private AddedToken? LongestAt(string text, int position)
    {
        if (!_byFirstChar.TryGetValue(text[position], out var candidates))
            return null;
        foreach (var token in candidates)
        {
            if (string.CompareOrdinal(text, position, token.Content, 0, token.Content.Length) == 0)
                return token;
        }
        return null;
    }

    /// <summary>Outside the text or not a word character (tokenizers: alphanumeric or '_').</summary>
    private static bool IsWordBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] == '_');
}
