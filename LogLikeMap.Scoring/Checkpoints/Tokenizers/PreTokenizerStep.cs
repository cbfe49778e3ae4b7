using System.Globalization;
using System.Text.Json;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>A piece of text on its way to the model; <paramref name="AtTextStart"/> when it begins the whole input (Metaspace's "first" scheme needs it).</summary>
internal readonly record struct TextPiece(string Text, bool AtTextStart);

/// <summary>How a split keeps the matched delimiters (tokenizers <c>SplitDelimiterBehavior</c>).</summary>
internal enum DelimiterBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>
/// A Hugging Face pre-tokenizer (<c>tokenizer.json</c>'s <c>"pre_tokenizer"</c>, tokenizers <c>src/pre_tokenizers/</c>):
/// cuts normalized text into the words that BPE merges within.
/// </summary>
internal abstract record PreTokenizerStep
{
    public const string Supported = "Sequence, Split, ByteLevel, Metaspace, Digits, Punctuation";

    /// <summary>GPT-2's pattern, which the ByteLevel pre-tokenizer applies when <c>use_regex</c> is true (tokenizers <c>byte_level.rs</c>).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Splits one piece, appending the resulting non-empty pieces to <paramref name="output"/>.</summary>
    public abstract void Split(TextPiece piece, List<TextPiece> output);

    /// <summary>True when this step maps text to GPT-2's byte alphabet, so the BPE model must work on UTF-8 bytes.</summary>
    public virtual bool IsByteLevel => false;

    public List<TextPiece> SplitAll(List<TextPiece> pieces)
    {
        var output = new List<TextPiece>(pieces.Count * 2);
        foreach (var piece in pieces)
            Split(piece, output);
        return output;
    }

    public static PreTokenizerStep? Read(JsonElement element)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        var type = element.GetProperty("type").GetString();
        return type switch
        {
            "Sequence" => new SequencePreTokenizer(element.GetProperty("pretokenizers").EnumerateArray()
                .Select(Read).OfType<PreTokenizerStep>().ToArray()),
            "Split" => new SplitPreTokenizer(
                TokenizerJsonPattern.Read(element.GetProperty("pattern")),
                Enum.Parse<DelimiterBehavior>(element.GetProperty("behavior").GetString()!),
                element.TryGetProperty("invert", out var invert) && invert.GetBoolean()),
            "ByteLevel" => new ByteLevelPreTokenizer(
                element.TryGetProperty("add_prefix_space", out var prefix) && prefix.GetBoolean(),
                !element.TryGetProperty("use_regex", out var useRegex) || useRegex.GetBoolean()),
            "Metaspace" => MetaspacePreTokenizer.FromJson(element),
            "Digits" => new DigitsPreTokenizer(element.TryGetProperty("individual_digits", out var individual) && individual.GetBoolean()),
            "Punctuation" => new PunctuationPreTokenizer(element.TryGetProperty("behavior", out var punctuationBehavior)
                ? Enum.Parse<DelimiterBehavior>(punctuationBehavior.GetString()!) : DelimiterBehavior.Isolated),
            _ => throw new NotSupportedException($"pre_tokenizer '{type}' is not supported (supported: {Supported})"),
        };
    }

    /// <summary>
    /// Cuts <paramref name="piece"/> at the delimiters (given as (start, length) matches) the way tokenizers'
    /// <c>NormalizedString::split</c> does for each behavior, dropping empty pieces.
    /// </summary>
    protected static void SplitAtMatches(TextPiece piece, List<(int Start, int Length)> matches, DelimiterBehavior behavior, bool invert, List<TextPiece> output)
    {
        var text = piece.Text;
        // The text as alternating (start, end, isDelimiter) stretches.
        var stretches = new List<(int Start, int End, bool IsDelimiter)>();
        var position = 0;
        foreach (var (start, length) in matches)
        {
            if (length == 0)
                continue;
            if (start > position)
                stretches.Add((position, start, invert));
            stretches.Add((start, start + length, !invert));
            position = start + length;
        }
        if (position < text.Length)
            stretches.Add((position, text.Length, invert));

        var pieces = new List<(int Start, int End)>();
        switch (behavior)
        {
            case DelimiterBehavior.Removed:
                pieces.AddRange(stretches.Where(s => !s.IsDelimiter).Select(s => (s.Start, s.End)));
                break;
            case DelimiterBehavior.Isolated:
                pieces.AddRange(stretches.Select(s => (s.Start, s.End)));
                break;
            case DelimiterBehavior.MergedWithPrevious:
                var afterText = false;
                foreach (var s in stretches)
                {
                    if (s.IsDelimiter && afterText)
                        pieces[^1] = (pieces[^1].Start, s.End);
                    else
                        pieces.Add((s.Start, s.End));
                    afterText = !s.IsDelimiter;
                }
                break;
            case DelimiterBehavior.MergedWithNext:
                var pendingStart = -1;
                foreach (var s in stretches)
                {
                    if (s.IsDelimiter)
                    {
                        if (pendingStart >= 0)
                            pieces.Add((pendingStart, s.Start));
                        pendingStart = s.Start;
                    }
                    else
                    {
                        pieces.Add((pendingStart >= 0 ? pendingStart : s.Start, s.End));
                        pendingStart = -1;
                    }
                }
                if (pendingStart >= 0)
                    pieces.Add((pendingStart, text.Length));
                break;
            case DelimiterBehavior.Contiguous:
                var previousWasDelimiter = false;
                foreach (var s in stretches)
                {
                    if (s.IsDelimiter && previousWasDelimiter)
                        pieces[^1] = (pieces[^1].Start, s.End);
                    else
                        pieces.Add((s.Start, s.End));
                    previousWasDelimiter = s.IsDelimiter;
                }
                break;
        }
        foreach (var (start, end) in pieces)
        {
            if (end > start)
                output.Add(new TextPiece(text[start..end], piece.AtTextStart && start == 0));
        }
    }
}

internal sealed record SequencePreTokenizer(IReadOnlyList<PreTokenizerStep> Steps) : PreTokenizerStep
{
    public override bool IsByteLevel => Steps.Any(step => step.IsByteLevel);

    public override void Split(TextPiece piece, List<TextPiece> output)
    {
        var pieces = new List<TextPiece> { piece };
        foreach (var step in Steps)
            pieces = step.SplitAll(pieces);
        output.AddRange(pieces);
    }
}

internal sealed record SplitPreTokenizer(TokenizerJsonPattern Pattern, DelimiterBehavior Behavior, bool Invert) : PreTokenizerStep
{
    public override void Split(TextPiece piece, List<TextPiece> output) =>
        SplitAtMatches(piece, Pattern.Matches(piece.Text), Behavior, Invert, output);
}

/// <summary>
/// GPT-2's byte-level pre-tokenizer: optionally a leading space, then (with <c>use_regex</c>) GPT-2's pattern with
/// isolated matches, and each piece spelled in GPT-2's byte alphabet (a space becomes 'Ġ', "①" three symbols). As in
/// tokenizers' <c>byte_level.rs</c> the spelling happens here, not in the model: the steps after this one in a
/// sequence see the byte symbols (Falcon's <c>Digits</c> after <c>ByteLevel</c> no longer finds "①", a number, but
/// does find '²', the symbol of byte 0xB2 inside "ò"), and the BPE model merges the symbols as they come.
/// </summary>
internal sealed record ByteLevelPreTokenizer(bool AddPrefixSpace, bool UseRegex) : PreTokenizerStep
{
    private static readonly CodePointRegex Gpt2Regex = new(Gpt2Pattern);

    public override bool IsByteLevel => true;

    public override void Split(TextPiece piece, List<TextPiece> output)
    {
        // tokenizers byte_level.rs: the space is added to every piece that does not start with one.
        if (AddPrefixSpace && !piece.Text.StartsWith(' '))
            piece = piece with { Text = " " + piece.Text };
        if (piece.Text.Length == 0)
            return;
        if (!UseRegex)
        {
            output.Add(piece with { Text = ByteLevelAlphabet.Spell(piece.Text) });
            return;
        }
        var first = output.Count;
        SplitAtMatches(piece, Gpt2Regex.Matches(piece.Text), DelimiterBehavior.Isolated, invert: false, output);
        for (var i = first; i < output.Count; i++)
            output[i] = output[i] with { Text = ByteLevelAlphabet.Spell(output[i].Text) };
    }
}

/// <summary>
/// SentencePiece's whitespace handling as a pre-tokenizer (tokenizers <c>metaspace.rs</c>): spaces become the
/// replacement ("▁"), which is prepended always, only at the start of the text ("first") or never, and the text is
/// optionally split before each replacement character.
/// </summary>
internal sealed record MetaspacePreTokenizer(char Replacement, string PrependScheme, bool SplitOnReplacement) : PreTokenizerStep
{
    public static MetaspacePreTokenizer FromJson(JsonElement element)
    {
        var replacement = element.GetProperty("replacement").GetString()!;
        if (replacement.Length != 1)
            throw new NotSupportedException($"Metaspace replacement '{replacement}' must be one character");
        // Older files say add_prefix_space instead of prepend_scheme.
        var scheme = element.TryGetProperty("prepend_scheme", out var s) ? s.GetString()!
            : element.TryGetProperty("add_prefix_space", out var add) && !add.GetBoolean() ? "never" : "always";
        if (scheme is not ("always" or "first" or "never"))
            throw new NotSupportedException($"Metaspace prepend_scheme '{scheme}' is not always, first or never");
        var split = !element.TryGetProperty("split", out var splitElement) || splitElement.GetBoolean();
        return new MetaspacePreTokenizer(replacement[0], scheme, split);
    }

    public override void Split(TextPiece piece, List<TextPiece> output)
    {
        var text = piece.Text.Replace(' ', Replacement);
        var prepend = PrependScheme == "always" || (PrependScheme == "first" && piece.AtTextStart);
        if (prepend && !text.StartsWith(Replacement))
            text = Replacement + text;
        var replaced = piece with { Text = text };
        if (!SplitOnReplacement)
        {
            if (text.Length > 0)
                output.Add(replaced);
            return;
        }
        var matches = new List<(int, int)>();
        for (var i = text.IndexOf(Replacement); i >= 0; i = text.IndexOf(Replacement, i + 1))
            matches.Add((i, 1));
        SplitAtMatches(replaced, matches, DelimiterBehavior.MergedWithNext, invert: false, output);
    }
}

/// <summary>Splits digits from the rest: each digit alone, or runs of digits together (tokenizers <c>digits.rs</c>).</summary>
internal sealed record DigitsPreTokenizer(bool IndividualDigits) : PreTokenizerStep
{
    public override void Split(TextPiece piece, List<TextPiece> output)
    {
        var matches = new List<(int, int)>();
        for (var i = 0; i < piece.Text.Length; i++)
        {
            if (char.IsNumber(piece.Text[i]))
                matches.Add((i, 1));
        }
        SplitAtMatches(piece, matches, IndividualDigits ? DelimiterBehavior.Isolated : DelimiterBehavior.Contiguous, invert: false, output);
    }
}

/// <summary>
/// Splits at punctuation (tokenizers <c>punctuation.rs</c>, Falcon's first step): a character is punctuation when it
/// is ASCII punctuation (Rust's <c>is_ascii_punctuation</c>, which includes symbols such as '$', '+', '&lt;') or of a
/// Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po). Isolated by default; Falcon keeps runs together
/// ("Contiguous").
/// </summary>
internal sealed record PunctuationPreTokenizer(DelimiterBehavior Behavior) : PreTokenizerStep
{
    public override void Split(TextPiece piece, List<TextPiece> output)
    {
        var text = piece.Text;
        var matches = new List<(int, int)>();
        for (var i = 0; i < text.Length; i++)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (IsPunctuation(length == 2 ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i]))
                matches.Add((i, length));
            i += length - 1;
        }
        SplitAtMatches(piece, matches, Behavior, invert: false, output);
    }

    private static bool IsPunctuation(int codePoint)
    {
        if (codePoint < 0x80)
            return codePoint is > 0x20 and < 0x7F && !char.IsAsciiLetterOrDigit((char)codePoint);
        return CharUnicodeInfo.GetUnicodeCategory(codePoint) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
