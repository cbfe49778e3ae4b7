using System.Text.Json;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>The parts of a Hugging Face tokenizer, mapped from its files.</summary>
internal sealed record TokenizerParts(
    BpeModelOptions Model,
    TextNormalizer? Normalizer,
    PreTokenizerStep? PreTokenizer,
    SpecialTokenTemplate Template,
    IReadOnlyList<AddedToken> AddedTokens);

/// <summary>
/// Reads <c>tokenizer.json</c> (the Hugging Face tokenizers library's serialization: <c>added_tokens</c>,
/// <c>normalizer</c>, <c>pre_tokenizer</c>, <c>model</c>, <c>post_processor</c>) and GPT-2-style
/// <c>vocab.json</c> + <c>merges.txt</c>. Unsupported parts throw <see cref="NotSupportedException"/> saying which.
/// </summary>
internal static class TokenizerJsonFile
{
    public const string SupportedModels =
        "BPE, byte-level (GPT-2, GPT-NeoX, Llama 3, Qwen2) or SentencePiece-style with byte fallback (Llama 2, Mistral)";

    public static TokenizerParts Read(string path)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        var model = root.GetProperty("model");
        var type = model.TryGetProperty("type", out var typeElement) ? typeElement.GetString()
            : model.TryGetProperty("merges", out _) ? "BPE" : "unknown";
        if (type != "BPE")
            throw new NotSupportedException($"the tokenizer model is '{type}'; LogLikeMap reads {SupportedModels}. WordPiece, WordLevel and Unigram tokenizers are not supported");
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
            throw new NotSupportedException($"the BPE model has dropout {dropout.GetDouble()}, which makes token ids random; set \"dropout\" to null");

        var preTokenizer = PreTokenizerStep.Read(PropertyOrNull(root, "pre_tokenizer"));
        var options = new BpeModelOptions(
            ReadVocabulary(model.GetProperty("vocab")),
            ReadMerges(model.GetProperty("merges")),
            ByteLevel: preTokenizer?.IsByteLevel ?? false,
            UnknownToken: StringOrNull(model, "unk_token"),
            FuseUnknown: BoolOrFalse(model, "fuse_unk"),
            ByteFallback: BoolOrFalse(model, "byte_fallback"),
            IgnoreMerges: BoolOrFalse(model, "ignore_merges"),
            ContinuingSubwordPrefix: NullIfEmpty(StringOrNull(model, "continuing_subword_prefix")),
            EndOfWordSuffix: NullIfEmpty(StringOrNull(model, "end_of_word_suffix")));
        var added = PropertyOrNull(root, "added_tokens") is { ValueKind: JsonValueKind.Array } addedElement
            ? addedElement.EnumerateArray().Select(token => ReadAddedToken(token, token.GetProperty("id").GetInt32())).ToList()
            : [];
        return new TokenizerParts(
            options,
            TextNormalizer.Read(PropertyOrNull(root, "normalizer")),
            preTokenizer,
            SpecialTokenTemplate.Read(PropertyOrNull(root, "post_processor")),
            added);
    }

    /// <summary>GPT-2's files: a byte-level BPE with GPT-2's pattern, no unknown token, no special tokens around the text.</summary>
    public static TokenizerParts ReadVocabAndMerges(string vocabPath, string mergesPath, bool addPrefixSpace)
    {
        using var vocabDocument = Parse(vocabPath);
        var merges = File.ReadLines(mergesPath)
            .Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal))
            .ToList();
        return new TokenizerParts(
            new BpeModelOptions(ReadVocabulary(vocabDocument.RootElement), merges, ByteLevel: true),
            Normalizer: null,
            new ByteLevelPreTokenizer(addPrefixSpace, UseRegex: true),
            SpecialTokenTemplate.None,
            AddedTokens: []);
    }

    public static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{path} is not valid JSON ({ex.Message}).", ex);
        }
    }

    public static AddedToken ReadAddedToken(JsonElement token, int id) => new(
        id,
        token.GetProperty("content").GetString()!,
        BoolOrFalse(token, "single_word"),
        BoolOrFalse(token, "lstrip"),
        BoolOrFalse(token, "rstrip"),
        BoolOrFalse(token, "normalized"),
        BoolOrFalse(token, "special"));

    private static Dictionary<string, int> ReadVocabulary(JsonElement vocab)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
            vocabulary[entry.Name] = entry.Value.GetInt32();
        return vocabulary;
    }

    /// <summary>Merges are "a b" strings, or ["a", "b"] pairs in newer files.</summary>
    private static List<string> ReadMerges(JsonElement merges)
    {
        var list = new List<string>(merges.GetArrayLength());
        foreach (var merge in merges.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                list.Add(merge.GetString()!);
                continue;
            }
            var left = merge[0].GetString()!;
            var right = merge[1].GetString()!;
            if (left.Contains(' ') || right.Contains(' '))
                throw new NotSupportedException($"the merge [\"{left}\", \"{right}\"] contains a space, which Microsoft.ML.Tokenizers' merge format cannot hold");
            list.Add(left + " " + right);
        }
        return list;
    }

    private static JsonElement PropertyOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : default;

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool BoolOrFalse(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
