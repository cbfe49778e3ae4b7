using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// A pre-tokenizer regular expression matched over Unicode code points, as Hugging Face's tokenizers does (its
/// Oniguruma regexes see UTF-8 text, one code point per character).
/// </summary>
/// <remarks>
/// .NET's <see cref="Regex"/> sees UTF-16 units, so a character outside the Basic Multilingual Plane (emoji, rare
/// CJK, math letters) is two surrogates of category Cs, not one character of its own category. Patterns like
/// Llama 3's and Qwen2's <c>[^\r\n\p{L}\p{N}]?\p{L}+</c> then split "🎉abc" differently ("🎉" + "abc" instead of
/// "🎉abc"). The fix: before matching, each surrogate pair is replaced by one BMP stand-in character of the same
/// Unicode category (never whitespace, never case-equivalent to ASCII), so every class and property in the pattern
/// sees what Oniguruma sees; match positions are then mapped back to the original text. Patterns only use
/// categories and ASCII literals, so a stand-in of the same category matches exactly where the original would.
/// </remarks>
internal sealed class CodePointRegex
{
    private static readonly Dictionary<UnicodeCategory, char> StandIns = FindStandIns();

    private readonly Regex _regex;

    public CodePointRegex(string pattern)
    {
        _regex = new Regex(FlattenNestedClasses(pattern), RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    /// <summary>
    /// Oniguruma reads a bracket inside a character class as a nested class whose members join the outer one (BLOOM's
    /// <c>[^(\s|[.,!?…])]</c> excludes '(', whitespace, '|', '.', ',', '!', '?', '…' and ')'); .NET reads that bracket
    /// as a literal and the first ']' as the end. A nested class that is not negated is the same as its members written
    /// in the outer class, so its brackets are dropped. Negated nested classes and intersections (<c>&amp;&amp;</c>) have
    /// no such rewriting and are refused.
    /// </summary>
    internal static string FlattenNestedClasses(string pattern)
    {
        var result = new StringBuilder(pattern.Length);
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                result.Append(c).Append(pattern[i + 1]);
                i++;
                continue;
            }
            if (depth == 0)
            {
                if (c == '[')
                {
                    depth = 1;
                    result.Append(c);
                    // A ']' right after '[' or '[^' is a literal member, not the end of the class.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                        result.Append(pattern[++i]);
                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        result.Append("\\]");
                        i++;
                    }
                    continue;
                }
                result.Append(c);
                continue;
            }
            switch (c)
            {
                case '[' when i + 1 < pattern.Length && pattern[i + 1] == ':':
                    throw new NotSupportedException($"the regex '{pattern}' uses a POSIX bracket ([:name:]), which LogLikeMap does not translate");
                case '[':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                        throw new NotSupportedException($"the regex '{pattern}' has a negated class nested in a class, which LogLikeMap does not translate");
                    depth++;
                    continue;
                case '&' when i + 1 < pattern.Length && pattern[i + 1] == '&':
                    throw new NotSupportedException($"the regex '{pattern}' intersects character classes (&&), which LogLikeMap does not translate");
                case ']':
                    depth--;
                    if (depth == 0)
                        result.Append(c);
                    continue;
                default:
                    result.Append(c);
                    continue;
            }
        }
        return result.ToString();
    }

    /// <summary>The (start, length) of each match, in UTF-16 positions of <paramref name="text"/>.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var matches = new List<(int, int)>();
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            foreach (var match in _regex.EnumerateMatches(text))
                matches.Add((match.Index, match.Length));
            return matches;
        }
        // positions[k] = index in text of the k-th character of the stand-in text (plus the end).
        var standIn = new StringBuilder(text.Length);
        var positions = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            positions.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                standIn.Append(StandIns.GetValueOrDefault(category, StandIns[UnicodeCategory.OtherNotAssigned]));
                i++;
            }
            else
            {
                standIn.Append(text[i]);
            }
        }
        positions.Add(text.Length);
        foreach (var match in _regex.EnumerateMatches(standIn.ToString()))
        {
            var start = positions[match.Index];
            matches.Add((start, positions[match.Index + match.Length] - start));
        }
        return matches;
    }

    private static Dictionary<UnicodeCategory, char> FindStandIns()
    {
        var standIns = new Dictionary<UnicodeCategory, char>();
        for (int c = 0xA1; c <= 0xFFFF; c++)
        {
            var ch = (char)c;
            if (char.IsSurrogate(ch) || char.IsWhiteSpace(ch)
                || char.ToUpperInvariant(ch) < 0x80 || char.ToLowerInvariant(ch) < 0x80)
                continue;
            standIns.TryAdd(char.GetUnicodeCategory(ch), ch);
        }
        return standIns;
    }
}
