using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The zoo's tokenizers, all GPT-2 style byte-level BPE (vocab.json + merges.txt, read by GPT2Tokenizer) built from
/// GPT-2's own files, kept to the first <see cref="MergeCount"/> merges:
/// 0 merges is a pure byte tokenizer (the 256 byte symbols), 4,096 a small BPE, 50,000 GPT-2's full BPE.
/// Truncating the merge list gives a real BPE tokenizer: GPT-2's vocabulary numbers the 256 byte symbols 0..255 and the
/// result of merge r as 256 + r, so the first M merges and the first 256 + M entries form a consistent pair.
/// <c>&lt;|endoftext|&gt;</c> follows them, as in GPT-2. Like GPT-2 the tokenizer adds no BOS, so the scorer
/// never scores a text's first token (docs/method.md 1.2).
/// </summary>
public sealed class ZooTokenizer
{
    public const string EndOfText = "<|endoftext|>";
    private const string MergesHeader = "#version: 0.2";

    /// <summary>
    /// GPT-2's <c>bytes_to_unicode</c> (openai/gpt-2 encoder.py): printable Latin-1 bytes stand for themselves, the
    /// other 68 map to U+0100 upwards; vocab ids 0..255 follow this order (printable first).
    /// </summary>
    internal static IReadOnlyList<(byte Byte, char Symbol)> ByteSymbols { get; } = MakeByteSymbols();

    private static readonly char[] ByteSymbolOf = MakeByteSymbolLookup();

    private static char[] MakeByteSymbolLookup()
    {
        var lookup = new char[256];
        foreach (var (b, symbol) in ByteSymbols)
            lookup[b] = symbol;
        return lookup;
    }

    private static (byte, char)[] MakeByteSymbols()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1)
            .Concat(Enumerable.Range('¡', '¬' - '¡' + 1))
            .Concat(Enumerable.Range('®', 'ÿ' - '®' + 1))
            .ToList();
        var result = printable.Select(b => ((byte)b, (char)b)).ToList();
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!printable.Contains(b))
                result.Add(((byte)b, (char)(256 + next++)));
        }
        return [.. result];
    }

    private ZooTokenizer(string name, int mergeCount, IReadOnlyList<string> symbols, IReadOnlyList<string> merges)
    {
        Name = name;
        MergeCount = mergeCount;
        _symbols = symbols;
        _merges = merges;
        _ids = symbols.Select((symbol, id) => (symbol, id)).ToDictionary(p => p.symbol, p => p.id, StringComparer.Ordinal);
        _mergeRanks = merges.Select((merge, rank) => (merge, rank)).ToDictionary(p => p.merge, p => p.rank, StringComparer.Ordinal);
    }

    private readonly IReadOnlyList<string> _symbols;
    private readonly IReadOnlyList<string> _merges;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int> _mergeRanks;
    private readonly Dictionary<string, int[]> _pieceCache = new(StringComparer.Ordinal);

    /// <summary>GPT-2's pre-tokenizer pattern (openai/gpt-2 encoder.py); BPE never merges across its pieces.</summary>
    private static readonly Regex Pieces = new(
        @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled);

    /// <summary>A short name used in model names and in models.jsonl ("bytes", "bpe4k").</summary>
    public string Name { get; }

    public int MergeCount { get; }

    /// <summary>V: the byte symbols, the merged symbols and <c>&lt;|endoftext|&gt;</c>.</summary>
    public int VocabularySize => _symbols.Count + 1;

    public int EndOfTextId => _symbols.Count;

    /// <summary>The byte tokenizer: GPT-2's 256 byte symbols and no merges; token id i is the i-th byte symbol.</summary>
    public static ZooTokenizer Bytes => BytesTokenizer.Value;

    private static readonly Lazy<ZooTokenizer> BytesTokenizer =
        new(() => new ZooTokenizer("bytes", 0, ByteSymbols.Select(b => b.Symbol.ToString()).ToArray(), []));

    /// <summary>GPT-2's BPE from its vocab.json and merges.txt, kept to the first <paramref name="mergeCount"/> merges.</summary>
    public static ZooTokenizer FromGpt2(string name, string gpt2Folder, int mergeCount)
    {
        var vocabPath = Path.Combine(gpt2Folder, "vocab.json");
        var mergesPath = Path.Combine(gpt2Folder, "merges.txt");
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath))
            ?? throw new InvalidDataException($"{vocabPath} is not a JSON object of token -> id.");
        var merges = File.ReadLines(mergesPath).Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal)).ToList();
        if (mergeCount < 0 || mergeCount > merges.Count)
            throw new ArgumentOutOfRangeException(nameof(mergeCount), $"{mergesPath} has {merges.Count} merges; asked for {mergeCount}.");

        var symbols = new string[256 + mergeCount];
        foreach (var (token, id) in vocab)
        {
            if (id < symbols.Length)
                symbols[id] = token;
        }
        for (var r = 0; r < mergeCount; r++)
        {
            // GPT-2 numbers merge r's result 256 + r; a file that breaks this is not GPT-2's.
            if (symbols[256 + r] != merges[r].Replace(" ", "", StringComparison.Ordinal))
                throw new InvalidDataException($"{vocabPath}: id {256 + r} is not the result of merge {r} ('{merges[r]}') of {mergesPath}.");
        }
        for (var i = 0; i < 256; i++)
        {
            if (symbols[i] != ByteSymbols[i].Symbol.ToString())
                throw new InvalidDataException($"{vocabPath}: id {i} is not GPT-2's byte symbol.");
        }
        return new ZooTokenizer(name, mergeCount, symbols, merges.Take(mergeCount).ToArray());
    }

    /// <summary>
    /// Token ids of a text for training, by GPT-2's algorithm (encoder.py): split into pieces by the pattern, map
    /// each piece's UTF-8 bytes to byte symbols, then apply the lowest-ranked merge present until none applies.
    /// No special token is added. Scoring tokenizes with the project's own tokenizer loader from the saved files.
    /// </summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        foreach (Match piece in Pieces.Matches(text))
        {
            if (!_pieceCache.TryGetValue(piece.Value, out var pieceIds))
            {
                pieceIds = EncodePiece(piece.Value);
                _pieceCache[piece.Value] = pieceIds;
            }
            ids.AddRange(pieceIds);
        }
        return ids;
    }

    private int[] EncodePiece(string piece)
    {
        var symbols = Encoding.UTF8.GetBytes(piece).Select(b => ByteSymbolOf[b].ToString()).ToList();
        while (symbols.Count > 1 && _mergeRanks.Count > 0)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < symbols.Count - 1; i++)
            {
                if (_mergeRanks.TryGetValue(symbols[i] + " " + symbols[i + 1], out var rank) && rank < bestRank)
                {
                    best = i;
                    bestRank = rank;
                }
            }
            if (best < 0)
                break;
            // encoder.py merges every occurrence of the best pair, left to right, in one pass.
            var pair = (symbols[best], symbols[best + 1]);
            var merged = new List<string>(symbols.Count);
            for (var i = 0; i < symbols.Count; i++)
            {
                if (i < symbols.Count - 1 && (symbols[i], symbols[i + 1]) == pair)
                {
                    merged.Add(pair.Item1 + pair.Item2);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }
            symbols = merged;
        }
        return [.. symbols.Select(symbol => _ids[symbol])];
    }

    /// <summary>The tokenizer files of a Hugging Face GPT-2 tokenizer: vocab.json, merges.txt, tokenizer_config.json.</summary>
    public IReadOnlyDictionary<string, string> Files(int maxPositions)
    {
        var vocab = new JsonObject();
        for (var id = 0; id < _symbols.Count; id++)
            vocab[_symbols[id]] = id;
        vocab[EndOfText] = EndOfTextId;

        var merges = new StringBuilder(MergesHeader).Append('\n');
        foreach (var merge in _merges)
            merges.Append(merge).Append('\n');

        var tokenizerConfig = new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["model_max_length"] = maxPositions,
            ["bos_token"] = EndOfText,
            ["eos_token"] = EndOfText,
            ["unk_token"] = EndOfText,
            ["add_prefix_space"] = false,
            ["add_bos_token"] = false,
        };
        return new Dictionary<string, string>
        {
            ["vocab.json"] = vocab.ToJsonString(),
            ["merges.txt"] = merges.ToString(),
            ["tokenizer_config.json"] = tokenizerConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n",
        };
    }
}
