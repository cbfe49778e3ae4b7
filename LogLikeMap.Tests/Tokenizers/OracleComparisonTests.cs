using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Tests.Checkpoints;
using LogLikeMap.Tests.PaperData;
using static LogLikeMap.Tests.Tokenizers.TokenizerJsonBuilder;

namespace LogLikeMap.Tests.Tokenizers;

/// <summary>
/// Tokenizer folders for the oracle comparison, built once: the fixtures' own tokenizers and tokenizer.json files of
/// other shapes around the fixtures' vocabularies.
/// </summary>
public sealed class OracleTokenizerFolders : IDisposable
{
    private readonly TempFolder _temp = new();

    public OracleTokenizerFolders()
    {
        var root = _temp.Path;
        var endOfText = Added(50256, "<|endoftext|>", normalized: true);
        var gpt2 = Tokenizer(Gpt2Model(), null, ByteLevel(addPrefixSpace: false, useRegex: true), ByteLevel(false, true), endOfText);
        Folders["gpt2 tokenizer.json"] = WriteFolder(root, "gpt2", gpt2);

        Folders["llama3-style"] = WriteFolder(root, "llama3", Tokenizer(
            Gpt2Model(ignoreMerges: true), null,
            Sequence("pretokenizers", RegexSplit(Llama3Pattern), ByteLevel(false, false)),
            Sequence("processors", ByteLevel(false, false), Template([("<|begin_of_text|>", 50257)], [])),
            Added(50256, "<|endoftext|>"), Added(50257, "<|begin_of_text|>"), Added(50258, "<|reserved_special_token_0|>")));

        Folders["qwen2-style"] = WriteFolder(root, "qwen2", Tokenizer(
            Gpt2Model(), new JsonObject { ["type"] = "NFC" },
            Sequence("pretokenizers", RegexSplit(Qwen2Pattern), ByteLevel(false, false)),
            ByteLevel(false, false),
            Added(50256, "<|endoftext|>"), Added(50257, "<|im_start|>"), Added(50258, "<|im_end|>")));

        Folders["roberta-style"] = WriteFolder(root, "roberta", Tokenizer(
            Gpt2Model(), null, ByteLevel(addPrefixSpace: true, useRegex: true),
            new JsonObject { ["type"] = "RobertaProcessing", ["sep"] = new JsonArray("<|endoftext|>", 50256), ["cls"] = new JsonArray("<|endoftext|>", 50256), ["trim_offsets"] = true, ["add_prefix_space"] = true },
            Added(50256, "<|endoftext|>"), Added(50257, "<mask>", lstrip: true)));

        Folders["digits"] = WriteFolder(root, "digits", Tokenizer(
            Gpt2Model(), null,
            Sequence("pretokenizers", new JsonObject { ["type"] = "Digits", ["individual_digits"] = true }, ByteLevel(false, true)),
            null, endOfText.DeepClone().AsObject()));

        // BLOOM's pre-tokenizer: an Oniguruma class with a class nested in it, then bytes without GPT-2's regex.
        Folders["bloom-style"] = WriteFolder(root, "bloom", Tokenizer(
            Gpt2Model(), null,
            Sequence("pretokenizers", RegexSplit(" ?[^(\\s|[.,!?…。，、।۔،])]+"), ByteLevel(false, false)),
            ByteLevel(false, false), endOfText.DeepClone().AsObject()));

        // StarCoder's (gpt_bigcode): each digit alone, then GPT-2's byte-level regex.
        Folders["starcoder-style"] = WriteFolder(root, "starcoder", Tokenizer(
            Gpt2Model(), null,
            Sequence("pretokenizers", new JsonObject { ["type"] = "Digits", ["individual_digits"] = true }, ByteLevel(false, true)),
            ByteLevel(false, false), endOfText.DeepClone().AsObject()));

        // Punctuation, Isolated (the default; Falcon's real file, with Contiguous, is in RealTokenizerTests).
        Folders["punctuation isolated"] = WriteFolder(root, "punctuation", Tokenizer(
            Gpt2Model(), null,
            Sequence("pretokenizers", new JsonObject { ["type"] = "Punctuation" }, ByteLevel(false, true)),
            null, endOfText.DeepClone().AsObject()));

        Folders["llama-spm tokenizer.json"] = WriteFolder(root, "llama", LlamaFixture());

        var metaspace = LlamaFixture();
        metaspace["normalizer"] = null;
        metaspace["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false };
        Folders["metaspace first"] = WriteFolder(root, "metaspace-first", metaspace);

        var metaspaceSplit = LlamaFixture();
        metaspaceSplit["normalizer"] = null;
        metaspaceSplit["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true };
        Folders["metaspace split"] = WriteFolder(root, "metaspace-split", metaspaceSplit);

        var addedTokens = LlamaFixture();
        var added = addedTokens["added_tokens"]!.AsArray();
        added.Add(Added(32000, "<|tool|>", rstrip: true));
        added.Add(Added(32001, "▁cat", special: false, normalized: true));
        added.Add(Added(32002, "dog", special: false, singleWord: true));
        added.Add(Added(32003, "<pad>", lstrip: true));
        Folders["llama added tokens"] = WriteFolder(root, "llama-added", addedTokens);
    }

    /// <summary>Folder of each tokenizer under test, by name.</summary>
    public Dictionary<string, string> Folders { get; } = [];

    public void Dispose() => _temp.Dispose();
}

/// <summary>
/// Many texts through LogLikeMap's tokenizer and through Hugging Face's Rust tokenizers (Tokenizers.DotNet, the
/// independent oracle, whose Encode adds special tokens as <c>tokenizer.encode</c> does): the ids must be equal.
/// </summary>
public class OracleComparisonTests(OracleTokenizerFolders folders) : IClassFixture<OracleTokenizerFolders>
{
    /// <summary>Texts that exercise the parts of a tokenizer where implementations differ.</summary>
    public static readonly string[] Texts =
    [
        "",
        " ",
        "   ",
        "\n",
        "Hello world",
        " Hello world",
        "Hello  world   with    runs of     spaces",
        "trailing spaces   ",
        "line one\nline two\n\n\nline five\r\nwindows line\r\n",
        "\ttabs\tand \t mixed \t\twhitespace\u000b\u000c",
        "don't I'll we've they're she's I'd you'LL DON'T",
        "1 12 123 1234 12345 3.14159 1,000,000 2024-06-01 0x1F 1e-10",
        "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a  # done\n",
        "if (x != y && z >= 3) { return a[i] << 2; } // C-style {{}}",
        "日本語のテキスト、中文文本，한국어 텍스트",
        "émigré naïve café Ωμέγα Ελληνικά Привет, мир! ÀÉÎÕÜ ß",
        "e\u0301 cafe\u0301 (combining accents) Å vs A\u030a",
        "مرحبا بالعالم שלום עולם สวัสดีชาวโลก नमस्ते दुनिया",
        "🎉🚀 emoji 👍🏽 family 👨‍👩‍👧 flags 🇯🇵🇫🇷",
        "🎉abc and 𝐀𝐁𝐂def and 𠀀𠀁 rare CJK, 𝟘𝟙𝟚 math digits",
        "zero\u200bwidth\u200djoiner and\u00a0nbsp and\u3000ideographic space",
        "control \u0001\u0002\u001f chars and \u007f delete",
        "<s> inside text </s> and <unk> too",
        "a<s>b</s>c<s></s>",
        "<|endoftext|>",
        "text<|endoftext|>more text <|endoftext|> end",
        "<|begin_of_text|>Hello<|reserved_special_token_0|> <|im_start|>user\nhi<|im_end|>",
        "a <mask> b  <mask>c",
        "the cat sat, a cat▁cat; dog dogs hotdog dog_ dog.",
        "double  cat and  catalogue, triple   dog",
        "<|tool|>  spaced <pad> padded    <pad>",
        "ſ long s, K kelvin, ﬁ ligature, ① circled, Ⅻ roman",
        "A very long word: supercalifragilisticexpialidocious-antidisestablishmentarianism",
        new string('a', 300) + " " + new string('!', 50),
        "Mixed123Numbers456And789Letters",
        "URLs: https://example.com/path?q=1&r=2#frag and emails a.b@c.de",
    ];

    public static TheoryData<string> TokenizerNames() =>
    [
        "gpt2 tokenizer.json", "llama3-style", "qwen2-style", "roberta-style", "digits", "bloom-style", "starcoder-style", "punctuation isolated",
        "llama-spm tokenizer.json", "metaspace first", "metaspace split", "llama added tokens",
    ];

    [Theory]
    [MemberData(nameof(TokenizerNames))]
    public void VariedTextsGiveTheOraclesIds(string name)
    {
        var folder = folders.Folders[name];
        var ours = HfTokenizer.Load(folder);
        var oracle = new global::Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(folder, "tokenizer.json"));

        foreach (var text in Texts.Concat(ScoringFixtures.Texts().Select(t => t.Text)))
        {
            var expected = oracle.Encode(text).Select(id => (int)id).ToArray();
            var actual = ours.EncodeWithSpecialTokens(text).ToArray();
            var differ = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Length, actual.Length));
            Assert.True(expected.SequenceEqual(actual),
                $"{name}, text \"{text[..Math.Min(60, text.Length)]}\" differs at id {differ}: oracle [..{string.Join(", ", expected.Skip(Math.Max(0, differ - 3)).Take(8))}..] ({expected.Length}), ours [..{string.Join(", ", actual.Skip(Math.Max(0, differ - 3)).Take(8))}..] ({actual.Length})");
        }
    }

    [Fact]
    public void Gpt2VocabAndMergesEqualsItsTokenizerJson()
    {
        // The fixture's vocab.json + merges.txt and a tokenizer.json written from them must tokenize alike.
        var fromFiles = HfTokenizer.Load(ScoringFixtures.ModelFolder("gpt2-tiny"));
        var oracle = new global::Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(folders.Folders["gpt2 tokenizer.json"], "tokenizer.json"));

        foreach (var text in Texts)
            Assert.Equal(oracle.Encode(text).Select(id => (int)id), fromFiles.EncodeWithSpecialTokens(text));
    }
}
