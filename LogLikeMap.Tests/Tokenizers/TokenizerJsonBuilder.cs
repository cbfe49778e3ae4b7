using System.Text.Json.Nodes;
using LogLikeMap.Tests.Checkpoints;

namespace LogLikeMap.Tests.Tokenizers;

/// <summary>
/// Builds tokenizer.json files in the Hugging Face tokenizers format around the fixtures' vocabularies, to test
/// tokenizer shapes the fixtures do not have (Llama 3's and Qwen2's regex pre-tokenizers, ignore_merges, RoBERTa's
/// template, Metaspace, extra added tokens). Each file is read by the Rust tokenizers (the oracle) and by LogLikeMap.
/// </summary>
internal static class TokenizerJsonBuilder
{
    /// <summary>Llama 3's pre-tokenizer pattern (meta-llama/Meta-Llama-3-8B tokenizer.json).</summary>
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2's pre-tokenizer pattern (Qwen/Qwen2-0.5B tokenizer.json): single digits.</summary>
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>A byte-level BPE model from the GPT-2 fixture's vocab.json and merges.txt.</summary>
    public static JsonObject Gpt2Model(bool ignoreMerges = false)
    {
        var folder = ScoringFixtures.ModelFolder("gpt2-tiny");
        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "vocab.json")))!.AsObject();
        var merges = new JsonArray(File.ReadLines(Path.Combine(folder, "merges.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal))
            .Select(line => (JsonNode)JsonValue.Create(line)).ToArray());
        return new JsonObject
        {
            ["type"] = "BPE",
            ["dropout"] = null,
            ["unk_token"] = null,
            ["continuing_subword_prefix"] = "",
            ["end_of_word_suffix"] = "",
            ["fuse_unk"] = false,
            ["byte_fallback"] = false,
            ["ignore_merges"] = ignoreMerges,
            ["vocab"] = vocab,
            ["merges"] = merges,
        };
    }

    /// <summary>The llama-spm fixture's tokenizer.json, to be varied.</summary>
    public static JsonObject LlamaFixture() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(ScoringFixtures.ModelFolder("llama-spm"), "tokenizer.json")))!.AsObject();

    public static JsonObject Tokenizer(JsonNode model, JsonNode? normalizer, JsonNode? preTokenizer, JsonNode? postProcessor, params JsonObject[] addedTokens) => new()
    {
        ["version"] = "1.0",
        ["truncation"] = null,
        ["padding"] = null,
        ["added_tokens"] = new JsonArray(addedTokens.Select(t => (JsonNode)t).ToArray()),
        ["normalizer"] = normalizer,
        ["pre_tokenizer"] = preTokenizer,
        ["post_processor"] = postProcessor,
        ["decoder"] = null,
        ["model"] = model,
    };

    public static JsonObject Added(int id, string content, bool special = true, bool normalized = false, bool lstrip = false, bool rstrip = false, bool singleWord = false) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = singleWord,
        ["lstrip"] = lstrip,
        ["rstrip"] = rstrip,
        ["normalized"] = normalized,
        ["special"] = special,
    };

    public static JsonObject ByteLevel(bool addPrefixSpace, bool useRegex) => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = addPrefixSpace,
        ["trim_offsets"] = true,
        ["use_regex"] = useRegex,
    };

    public static JsonObject RegexSplit(string pattern) => new()
    {
        ["type"] = "Split",
        ["pattern"] = new JsonObject { ["Regex"] = pattern },
        ["behavior"] = "Isolated",
        ["invert"] = false,
    };

    public static JsonObject Sequence(string kind, params JsonNode[] steps) => new()
    {
        ["type"] = "Sequence",
        [kind] = new JsonArray(steps),
    };

    /// <summary>TemplateProcessing for one sequence: the given special tokens before and after it.</summary>
    public static JsonObject Template((string Token, int Id)[] before, (string Token, int Id)[] after)
    {
        JsonNode Special(string token) => new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } };
        var single = new JsonArray();
        foreach (var (token, _) in before)
            single.Add(Special(token));
        single.Add(new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } });
        foreach (var (token, _) in after)
            single.Add(Special(token));
        var specials = new JsonObject();
        foreach (var (token, id) in before.Concat(after).DistinctBy(t => t.Token))
            specials[token] = new JsonObject { ["id"] = token, ["ids"] = new JsonArray(id), ["tokens"] = new JsonArray(token) };
        return new JsonObject
        {
            ["type"] = "TemplateProcessing",
            ["single"] = single,
            ["pair"] = single.DeepClone(),
            ["special_tokens"] = specials,
        };
    }

    /// <summary>Writes tokenizer.json (and any extra files) into a new folder under <paramref name="root"/>.</summary>
    public static string WriteFolder(string root, string name, JsonObject tokenizer, params (string File, string Content)[] extraFiles)
    {
        var folder = Path.Combine(root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        foreach (var (file, content) in extraFiles)
            File.WriteAllText(Path.Combine(folder, file), content);
        return folder;
    }
}
