using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Tests.PaperData;
using static LogLikeMap.Tests.Tokenizers.TokenizerJsonBuilder;

namespace LogLikeMap.Tests.Tokenizers;

public class TokenizerConfigTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void LlamaTokenizerFlagsRebuildTheTemplateAsTransformersDoes(bool addBos, bool addEos)
    {
        // transformers' LlamaTokenizerFast.update_post_processor turns add_bos_token / add_eos_token into the template
        // "<s> $A </s>" (each part present when its flag is); the oracle reads that template from tokenizer.json.
        using var temp = new TempFolder();
        var config = $"{{\"tokenizer_class\": \"LlamaTokenizer\", \"add_bos_token\": {(addBos ? "true" : "false")}, \"add_eos_token\": {(addEos ? "true" : "false")}, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}}";
        var ours = HfTokenizer.Load(WriteFolder(temp.Path, "ours", LlamaFixture(), ("tokenizer_config.json", config)));
        var withTemplate = LlamaFixture();
        withTemplate["post_processor"] = Template(addBos ? [("<s>", 1)] : [], addEos ? [("</s>", 2)] : []);
        var oracle = new global::Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(WriteFolder(temp.Path, "oracle", withTemplate), "tokenizer.json"));

        foreach (var text in new[] { "", "Hello world", " a <s> b </s> c ", "日本語 🎉" })
            Assert.Equal(oracle.Encode(text).Select(id => (int)id), ours.EncodeWithSpecialTokens(text));
    }

    [Fact]
    public void VocabAndMergesHonourAddBosToken()
    {
        using var temp = new TempFolder();
        var folder = Path.Combine(temp.Path, "gpt2");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "vocab.json", "merges.txt" })
            File.Copy(Path.Combine(Checkpoints.ScoringFixtures.ModelFolder("gpt2-tiny"), file), Path.Combine(folder, file));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{\"add_bos_token\": true, \"bos_token\": \"<|endoftext|>\", \"eos_token\": \"<|endoftext|>\"}");
        var plain = HfTokenizer.Load(Checkpoints.ScoringFixtures.ModelFolder("gpt2-tiny"));

        var ids = HfTokenizer.Load(folder).EncodeWithSpecialTokens("Hello world");

        Assert.Equal([50256, .. plain.EncodeWithSpecialTokens("Hello world")], ids);
    }

    [Theory]
    [InlineData("{\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {\"[UNK]\": 0}}", null, "the tokenizer model is 'WordPiece'")]
    [InlineData("{\"type\": \"Unigram\", \"vocab\": [[\"a\", -1.0]]}", null, "the tokenizer model is 'Unigram'")]
    [InlineData(null, "{\"type\": \"BertPreTokenizer\"}", "pre_tokenizer 'BertPreTokenizer' is not supported (supported: Sequence, Split, ByteLevel, Metaspace, Digits, Punctuation)")]
    public void UnsupportedTokenizersAreRefusedListingWhatIsSupported(string? model, string? preTokenizer, string expected)
    {
        using var temp = new TempFolder();
        var tokenizer = Tokenizer(
            model is null ? Gpt2Model() : JsonNode.Parse(model)!,
            null,
            preTokenizer is null ? null : JsonNode.Parse(preTokenizer),
            null);
        var folder = WriteFolder(temp.Path, "bad", tokenizer);

        var ex = Assert.Throws<CheckpointException>(() => HfTokenizer.Load(folder));

        Assert.Contains(expected, ex.Message);
        Assert.Contains("tokenizer.json: LogLikeMap cannot use this tokenizer", ex.Message);
        Assert.Contains("It reads BPE, byte-level (GPT-2, GPT-NeoX, Llama 3, Qwen2) or SentencePiece-style with byte fallback (Llama 2, Mistral)", ex.Message);
    }

    [Fact]
    public void MalformedTokenizerJsonIsRefused()
    {
        using var temp = new TempFolder();
        temp.Write("tokenizer.json", "{\"model\": ");

        var ex = Assert.Throws<CheckpointException>(() => HfTokenizer.Load(temp.Path));

        Assert.Contains("tokenizer.json is not valid JSON", ex.Message);
    }

    [Fact]
    public void ASentencePieceModelAloneIsRefusedWithTheConversion()
    {
        using var temp = new TempFolder();
        temp.Write("tokenizer.model", "protobuf");

        var ex = Assert.Throws<CheckpointException>(() => HfTokenizer.Load(temp.Path));

        Assert.Contains("has no tokenizer: expected tokenizer.json, or vocab.json + merges.txt", ex.Message);
        Assert.Contains("save_pretrained", ex.Message);
    }
}
