using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// A Hugging Face normalizer (<c>tokenizer.json</c>'s <c>"normalizer"</c>), applied to each stretch of text
/// between added tokens before pre-tokenization (tokenizers <c>src/normalizers/</c>).
/// </summary>
internal abstract record TextNormalizer
{
    public const string Supported = "Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip";

    public abstract string Normalize(string text);

    /// <summary>Reads a normalizer object; null for JSON null. Unknown types throw <see cref="NotSupportedException"/> naming the supported ones.</summary>
    public static TextNormalizer? Read(JsonElement element)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        var type = element.GetProperty("type").GetString();
        return type switch
        {
            "Sequence" => new SequenceNormalizer(element.GetProperty("normalizers").EnumerateArray()
                .Select(Read).OfType<TextNormalizer>().ToArray()),
            "Prepend" => new PrependNormalizer(element.GetProperty("prepend").GetString()!),
            "Replace" => new ReplaceNormalizer(TokenizerJsonPattern.Read(element.GetProperty("pattern")), element.GetProperty("content").GetString()!),
            "NFC" => new UnicodeFormNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeFormNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Strip" => new StripNormalizer(
                element.TryGetProperty("strip_left", out var left) && left.GetBoolean(),
                element.TryGetProperty("strip_right", out var right) && right.GetBoolean()),
            _ => throw new NotSupportedException($"normalizer '{type}' is not supported (supported: {Supported})"),
        };
    }
}

internal sealed record SequenceNormalizer(IReadOnlyList<TextNormalizer> Steps) : TextNormalizer
{
    public override string Normalize(string text) => Steps.Aggregate(text, (current, step) => step.Normalize(current));
}

/// <summary>Prepends a string to non-empty text (Llama 2 / Mistral: "▁", the SentencePiece dummy prefix).</summary>
internal sealed record PrependNormalizer(string Prefix) : TextNormalizer
{
    public override string Normalize(string text) => text.Length == 0 ? text : Prefix + text;
}

/// <summary>Replaces every match of a literal or regex pattern (Llama 2: " " by "▁").</summary>
internal sealed record ReplaceNormalizer(TokenizerJsonPattern Pattern, string Content) : TextNormalizer
{
    public override string Normalize(string text) => Pattern.Replace(text, Content);
}

internal sealed record UnicodeFormNormalizer(NormalizationForm Form) : TextNormalizer
{
    public override string Normalize(string text) => text.Normalize(Form);
}

/// <summary>Lower-cases with .NET's invariant mapping (Rust's <c>to_lowercase</c> also expands a few characters such as 'İ'; such text may differ).</summary>
internal sealed record LowercaseNormalizer : TextNormalizer
{
    public override string Normalize(string text) => text.ToLowerInvariant();
}

internal sealed record StripNormalizer(bool Left, bool Right) : TextNormalizer
{
    public override string Normalize(string text) => (Left, Right) switch
    {
        (true, true) => text.Trim(),
        (true, false) => text.TrimStart(),
        (false, true) => text.TrimEnd(),
        _ => text,
    };
}

/// <summary>A <c>{"String": s}</c> or <c>{"Regex": r}</c> pattern of tokenizer.json.</summary>
internal sealed record TokenizerJsonPattern(string? Literal, CodePointRegex? Regex, string Source)
{
    public static TokenizerJsonPattern Read(JsonElement element)
    {
        if (element.TryGetProperty("String", out var literal))
            return new TokenizerJsonPattern(literal.GetString()!, null, literal.GetString()!);
        if (element.TryGetProperty("Regex", out var regex))
            return new TokenizerJsonPattern(null, new CodePointRegex(regex.GetString()!), regex.GetString()!);
        throw new NotSupportedException($"pattern {element.GetRawText()} is neither {{\"String\": ...}} nor {{\"Regex\": ...}}");
    }

    /// <summary>The (start, length) of each non-overlapping match, left to right.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        if (Regex is not null)
            return Regex.Matches(text);
        var matches = new List<(int, int)>();
        if (Literal!.Length == 0)
            return matches;
        for (var at = text.IndexOf(Literal, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Literal, at + Literal.Length, StringComparison.Ordinal))
            matches.Add((at, Literal.Length));
        return matches;
    }

    public string Replace(string text, string content)
    {
        if (Regex is null)
            return Literal!.Length == 0 ? text : text.Replace(Literal, content, StringComparison.Ordinal);
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var (start, length) in Regex.Matches(text))
        {
            result.Append(text, position, start - position).Append(content);
            position = start + length;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }
}
