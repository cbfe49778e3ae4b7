using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>What tokenizer.json's <c>"model"</c> (type BPE) or vocab.json + merges.txt say about the BPE model.</summary>
internal sealed record BpeModelOptions(
    IReadOnlyDictionary<string, int> Vocabulary,
    IReadOnlyList<string> Merges,
    bool ByteLevel,
    string? UnknownToken = null,
    bool FuseUnknown = false,
    bool ByteFallback = false,
    bool IgnoreMerges = false,
    string? ContinuingSubwordPrefix = null,
    string? EndOfWordSuffix = null);

/// <summary>
/// Byte-pair encoding of one pre-tokenized word, done by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (the
/// merges, by rank, as in tokenizers' <c>models/bpe</c>), with two behaviours of Hugging Face's BPE the library lacks:
/// byte fallback and <c>ignore_merges</c>.
/// </summary>
internal sealed class BpeModel
{
    private readonly BpeTokenizer _library;
    private readonly BpeModelOptions _options;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabulary;
    private readonly int? _unknownId;
    private readonly int[]? _byteIds;

    public BpeModel(BpeModelOptions options)
    {
        _options = options;
        var vocabulary = new Dictionary<string, int>(options.Vocabulary, StringComparer.Ordinal);
        _vocabulary = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        if (options.UnknownToken is not null)
        {
            _unknownId = vocabulary.TryGetValue(options.UnknownToken, out var unknownId) ? unknownId
                : throw new NotSupportedException($"the unknown token '{options.UnknownToken}' is not in the vocabulary");
        }
        if (options.ByteFallback)
        {
            if (options.ByteLevel || options.ContinuingSubwordPrefix is not null || options.EndOfWordSuffix is not null)
                throw new NotSupportedException("byte_fallback together with a byte-level pre-tokenizer, continuing_subword_prefix or end_of_word_suffix is not supported");
            _byteIds = ReadByteTokens(vocabulary);
            RefuseMergesOfFallbackSymbols(options.Merges, options.UnknownToken);
        }
        try
        {
            _library = BpeTokenizer.Create(new BpeOptions(options.Vocabulary)
            {
                Merges = options.Merges,
                // Byte-level words arrive already spelled in GPT-2's byte alphabet (ByteLevelPreTokenizer), which is
                // the vocabulary's alphabet: the library merges their symbols as plain characters.
                ByteLevel = false,
                // With byte fallback, unknown characters never reach the library (see Encode); otherwise it handles
                // them exactly as tokenizers does: the unknown token, fused when fuse_unk, or dropped when there is none.
                UnknownToken = options.ByteFallback ? null : options.UnknownToken,
                FuseUnknownTokens = options.FuseUnknown,
                ContinuingSubwordPrefix = options.ContinuingSubwordPrefix,
                EndOfWordSuffix = options.EndOfWordSuffix,
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new NotSupportedException($"the BPE vocabulary and merges are inconsistent ({ex.Message})", ex);
        }
    }

    public int VocabularyMaxId => _options.Vocabulary.Values.DefaultIfEmpty(-1).Max();

    /// <summary>Number of vocabulary entries (tokenizers' <c>get_vocab_size</c>).</summary>
    public int VocabularyCount => _options.Vocabulary.Count;

    public bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    /// <summary>Appends the ids of one word.</summary>
    public void Encode(string word, List<int> ids)
    {
        if (_options.IgnoreMerges
            && _vocabulary.TryGetValue(word, out var whole))
        {
            // tokenizers bpe/model.rs: with ignore_merges (Llama 3) a word found whole in the vocabulary is one token.
            ids.Add(whole);
            return;
        }
        if (_byteIds is null)
        {
            ids.AddRange(_library.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
            return;
        }
        EncodeWithByteFallback(word, ids);
    }

    /// <summary>
    /// Byte fallback (tokenizers bpe/model.rs, <c>merge_word</c>): a character missing from the vocabulary becomes the
    /// tokens <c>&lt;0xXX&gt;</c> of its UTF-8 bytes, or the unknown token if one of those is missing. The library has no
    /// such option (it would emit the unknown token or drop the character), so the word is cut at missing characters:
    /// the known stretches go through the library's merges, the missing characters become byte tokens here. This is
    /// exact because no merge involves a byte or unknown token (checked when loading), so merges never cross those
    /// symbols in Hugging Face's implementation either.
    /// </summary>
    private void EncodeWithByteFallback(string word, List<int> ids)
    {
        var knownStart = 0;
        var previousWasUnknown = false;
        var i = 0;
        Span<byte> utf8 = stackalloc byte[4];
        while (i < word.Length)
        {
            var length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var character = word.AsSpan(i, length);
            if (_vocabulary.ContainsKey(character))
            {
                i += length;
                continue;
            }
            if (i > knownStart)
            {
                ids.AddRange(_library.EncodeToIds(word.AsSpan(knownStart, i - knownStart), considerPreTokenization: false, considerNormalization: false));
                previousWasUnknown = false;
            }
            var byteCount = Encoding.UTF8.GetBytes(character, utf8);
            var bytes = utf8[..byteCount];
            var allBytesKnown = true;
            foreach (var b in bytes)
                allBytesKnown &= _byteIds![b] >= 0;
            if (allBytesKnown)
            {
                foreach (var b in bytes)
                    ids.Add(_byteIds![b]);
                previousWasUnknown = false;
            }
            else if (_unknownId is int unknown && !(previousWasUnknown && _options.FuseUnknown))
            {
                ids.Add(unknown);
                previousWasUnknown = true;
            }
            i += length;
            knownStart = i;
        }
        if (word.Length > knownStart)
            ids.AddRange(_library.EncodeToIds(word.AsSpan(knownStart), considerPreTokenization: false, considerNormalization: false));
    }

    /// <summary>Ids of the byte tokens "&lt;0x00&gt;" .. "&lt;0xFF&gt;" (-1 where missing).</summary>
    private static int[] ReadByteTokens(Dictionary<string, int> vocabulary)
    {
        var ids = new int[256];
        for (var b = 0; b < 256; b++)
            ids[b] = vocabulary.TryGetValue(ByteToken(b), out var id) ? id : -1;
        return ids;
    }

    private static string ByteToken(int b) => "<0x" + b.ToString("X2", CultureInfo.InvariantCulture) + ">";

    private static void RefuseMergesOfFallbackSymbols(IReadOnlyList<string> merges, string? unknownToken)
    {
        foreach (var merge in merges)
        {
            var space = merge.IndexOf(' ');
            if (space < 0)
                continue; // The library reports a malformed merge when it loads them.
            var left = merge[..space];
            var right = merge[(space + 1)..];
            if (IsFallbackSymbol(left) || IsFallbackSymbol(right))
                throw new NotSupportedException($"the merge '{merge}' joins a byte-fallback or unknown token, which LogLikeMap's byte fallback cannot reproduce exactly");
        }

        bool IsFallbackSymbol(string token) => token == unknownToken
            || (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token.EndsWith('>'));
    }
}
