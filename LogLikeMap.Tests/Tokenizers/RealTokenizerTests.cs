using System.IO.Compression;
using System.Text.Json;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Tokenizers;

/// <summary>
/// The real tokenizer files of the model families under TestData/tokenizers, copied into a temporary folder each (the
/// large files are stored gzip-compressed and decompressed here), as a checkpoint folder would hold them.
/// </summary>
public sealed class RealTokenizerFolders : IDisposable
{
    private readonly TempFolder _temp = new();

    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData", "tokenizers");

    /// <summary>The tokenizer folder of a family, with its files as shipped.</summary>
    public string Folder(string family)
    {
        var folder = Path.Combine(_temp.Path, family);
        lock (_temp)
        {
            if (Directory.Exists(folder))
                return folder;
            var staging = folder + ".partial";
            Directory.CreateDirectory(staging);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, family)))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(".ids.jsonl", StringComparison.Ordinal))
                    continue;
                if (name.EndsWith(".gz", StringComparison.Ordinal))
                {
                    using var compressed = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
                    using var plain = File.Create(Path.Combine(staging, name[..^".gz".Length]));
                    compressed.CopyTo(plain);
                }
                else
                {
                    File.Copy(file, Path.Combine(staging, name));
                }
            }
            Directory.Move(staging, folder);
            return folder;
        }
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>
/// Real tokenizers of the families LogLikeMap scores, against the ids Hugging Face's own tokenizers library gives
/// (written by tools/tokenizer-oracle, which also checks them against tokenizers.js; see TestData/tokenizers/README.md):
/// every text of TestData/tokenizers/texts.jsonl must give the same ids, special tokens included.
/// </summary>
public class RealTokenizerTests(RealTokenizerFolders folders) : IClassFixture<RealTokenizerFolders>
{
    public static TheoryData<string> Families() =>
        ["gemma", "gemma3", "mistral", "mistral-eos", "mistral-nemo", "llama3", "qwen2.5", "qwen3", "falcon"];

    [Theory]
    [MemberData(nameof(Families))]
    public void EveryTextGivesHuggingFacesIds(string family)
    {
        var tokenizer = HfTokenizer.Load(folders.Folder(family));
        var expected = ReadIds(Path.Combine(RealTokenizerFolders.Root, family, "ids.jsonl"));

        foreach (var (index, text) in Texts())
            AssertSameIds(family, index, text, expected[index], tokenizer.EncodeWithSpecialTokens(text));
    }

    [Theory]
    [InlineData("mistral-eos", 16)]
    [InlineData("gemma", 16)]
    public void TruncationKeepsTheTemplatesTokensAsHuggingFaceDoes(string family, int maxLength)
    {
        // encode(text, truncation=True, max_length=16): the text's tokens are cut so that BOS and the appended EOS
        // still fit, as the Rust library's truncation does.
        var tokenizer = HfTokenizer.Load(folders.Folder(family));
        var expected = ReadIds(Path.Combine(RealTokenizerFolders.Root, family, $"truncated-{maxLength}.ids.jsonl"));

        foreach (var (index, text) in Texts())
        {
            AssertSameIds(family, index, text, expected[index], tokenizer.EncodeWithSpecialTokens(text, maxLength));
            // Cutting ids already encoded in full must agree (the scorer's path for texts tokenized beforehand).
            AssertSameIds(family, index, text, expected[index], tokenizer.Truncate(tokenizer.EncodeWithSpecialTokens(text), maxLength));
        }
    }

    [Theory]
    [InlineData("gemma", 2, 1, 256000)]
    [InlineData("gemma3", 2, 106, 262145)]
    [InlineData("mistral", 1, 2, 32000)]
    [InlineData("qwen3", null, 151645, 151669)]
    [InlineData("falcon", null, 11, 65024)]
    public void ReportsTheFamilysSpecialTokensAndVocabularySize(string family, int? bos, int eos, int vocabularySize)
    {
        // Ids as the families' tokenizer_config.json names them: Gemma's <bos> 2 and <eos> 1 (Gemma 3's eos_token is
        // <end_of_turn>, 106), Mistral's <s> 1 and </s> 2, Qwen3's <|im_end|> and no BOS, Falcon's <|endoftext|> 11.
        var tokenizer = HfTokenizer.Load(folders.Folder(family));

        Assert.Equal(bos, tokenizer.BeginningOfSentenceId);
        Assert.Equal(eos, tokenizer.EndOfSentenceId);
        Assert.Equal(vocabularySize, tokenizer.VocabularySize);
    }

    [Fact]
    public void PhiThreesAddedTokensOnMistralsVocabularyGiveTheRustLibrarysIds()
    {
        // Phi-3 ships the Llama/Mistral-style SentencePiece BPE with chat tokens added after the vocabulary, most with
        // rstrip (the whitespace after them is swallowed), and add_bos_token false. Built here on Mistral's real files,
        // with added tokens of every flag (ids contiguous after the vocabulary, as save_pretrained writes them), and
        // compared with Hugging Face's Rust library (Tokenizers.DotNet) on every text.
        var source = folders.Folder("mistral");
        using var temp = new TempFolder();
        var tokenizerJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(source, "tokenizer.json")))!.AsObject();
        var added = tokenizerJson["added_tokens"]!.AsArray();
        (int Id, string Content, bool Special, bool Normalized, bool LeftStrip, bool RightStrip, bool SingleWord)[] phi =
        [
            (32000, "<|endoftext|>", true, false, false, false, false),
            (32001, "<|assistant|>", true, false, false, true, false),
            (32002, "<|end|>", true, false, false, true, false),
            (32003, "<|user|>", true, false, false, true, false),
            (32004, "<mask>", true, false, true, false, false),
            (32005, "▁cat", false, true, false, false, false),
            (32006, "dog", false, false, false, false, true),
        ];
        foreach (var token in phi)
        {
            added.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = token.Id, ["content"] = token.Content, ["single_word"] = token.SingleWord, ["lstrip"] = token.LeftStrip,
                ["rstrip"] = token.RightStrip, ["normalized"] = token.Normalized, ["special"] = token.Special,
            });
        }
        tokenizerJson["post_processor"] = null; // add_bos_token false
        File.WriteAllText(temp.FilePath("tokenizer.json"), tokenizerJson.ToJsonString());
        File.WriteAllText(temp.FilePath("tokenizer_config.json"),
            """{"tokenizer_class": "LlamaTokenizer", "add_bos_token": false, "add_eos_token": false, "bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>"}""");
        var ours = HfTokenizer.Load(temp.Path);
        var oracle = new global::Tokenizers.DotNet.Tokenizer(vocabPath: temp.FilePath("tokenizer.json"));
        string[] chat = ["<|user|>\n  What is 2+2?<|end|>\n<|assistant|>   Four.<|end|><|endoftext|>", "a <mask> b  <mask>c", "the cat sat, a cat▁cat; dog dogs hotdog dog_ dog."];

        foreach (var (index, text) in Texts().Concat(chat.Select((text, i) => (1000 + i, text))))
            AssertSameIds("phi3-style", index, text, oracle.Encode(text).Select(id => (int)id).ToArray(), ours.EncodeWithSpecialTokens(text));
    }

    private static void AssertSameIds(string family, int index, string text, int[] expected, IReadOnlyList<int> actualList)
    {
        var actual = actualList.ToArray();
        var differ = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Length, actual.Length));
        Assert.True(expected.SequenceEqual(actual),
            $"{family}, text {index} \"{text[..Math.Min(60, text.Length)]}\" differs at id {differ}: Hugging Face [..{string.Join(", ", expected.Skip(Math.Max(0, differ - 3)).Take(8))}..] ({expected.Length}), ours [..{string.Join(", ", actual.Skip(Math.Max(0, differ - 3)).Take(8))}..] ({actual.Length})");
    }

    private static IEnumerable<(int Index, string Text)> Texts()
    {
        foreach (var line in File.ReadLines(Path.Combine(RealTokenizerFolders.Root, "texts.jsonl")))
        {
            using var document = JsonDocument.Parse(line);
            yield return (document.RootElement.GetProperty("index").GetInt32(), document.RootElement.GetProperty("text").GetString()!);
        }
    }

    private static Dictionary<int, int[]> ReadIds(string path)
    {
        var ids = new Dictionary<int, int[]>();
        foreach (var line in File.ReadLines(path))
        {
            using var document = JsonDocument.Parse(line);
            ids[document.RootElement.GetProperty("index").GetInt32()] =
                document.RootElement.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray();
        }
        return ids;
    }
}
