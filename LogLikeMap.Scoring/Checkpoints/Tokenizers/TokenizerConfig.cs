using System.Text.Json;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// What transformers reads from <c>tokenizer_config.json</c> (and <c>special_tokens_map.json</c>) that changes the
/// ids: the tokenizer class, <c>add_bos_token</c> / <c>add_eos_token</c>, the named special tokens and
/// <c>added_tokens_decoder</c>. Every field is optional.
/// </summary>
internal sealed record TokenizerConfig(
    string? TokenizerClass,
    bool? AddBosToken,
    bool? AddEosToken,
    bool? AddPrefixSpace,
    string? BosToken,
    string? EosToken,
    IReadOnlyList<string> OtherSpecialTokens,
    IReadOnlyList<AddedToken> AddedTokensDecoder)
{
    public static readonly TokenizerConfig Empty = new(null, null, null, null, null, null, [], []);

    /// <summary>
    /// transformers' Llama and Gemma fast tokenizers rebuild the post-processor from add_bos_token (default true)
    /// and add_eos_token (default false) (<c>LlamaTokenizerFast.update_post_processor</c>), whatever tokenizer.json says.
    /// </summary>
    public bool RebuildsTemplateFromFlags => TokenizerClass is not null
        && (TokenizerClass.StartsWith("LlamaTokenizer", StringComparison.Ordinal)
            || TokenizerClass.StartsWith("CodeLlamaTokenizer", StringComparison.Ordinal)
            || TokenizerClass.StartsWith("GemmaTokenizer", StringComparison.Ordinal));

    public static TokenizerConfig Read(string folder)
    {
        var configPath = Path.Combine(folder, TokenizerFiles.TokenizerConfigName);
        var mapPath = Path.Combine(folder, TokenizerFiles.SpecialTokensMapName);
        using var config = File.Exists(configPath) ? TokenizerJsonFile.Parse(configPath) : null;
        using var map = File.Exists(mapPath) ? TokenizerJsonFile.Parse(mapPath) : null;
        if (config is null && map is null)
            return Empty;
        var root = config?.RootElement;
        var mapRoot = map?.RootElement;

        string? TokenNamed(string key) =>
            TokenContent(root, key) ?? TokenContent(mapRoot, key);

        var others = new List<string>();
        foreach (var key in new[] { "unk_token", "pad_token", "sep_token", "cls_token", "mask_token" })
        {
            if (TokenNamed(key) is string token)
                others.Add(token);
        }
        foreach (var source in new[] { root, mapRoot })
        {
            if (source is JsonElement element && element.TryGetProperty("additional_special_tokens", out var additional) && additional.ValueKind == JsonValueKind.Array)
                others.AddRange(additional.EnumerateArray().Select(ContentOf).OfType<string>());
        }
        var decoder = new List<AddedToken>();
        if (root is JsonElement r && r.TryGetProperty("added_tokens_decoder", out var decoderElement) && decoderElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in decoderElement.EnumerateObject())
                decoder.Add(TokenizerJsonFile.ReadAddedToken(entry.Value, int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture)));
        }
        return new TokenizerConfig(
            StringOf(root, "tokenizer_class"), BoolOf(root, "add_bos_token"), BoolOf(root, "add_eos_token"), BoolOf(root, "add_prefix_space"),
            TokenNamed("bos_token"), TokenNamed("eos_token"), others, decoder);
    }

    private static string? TokenContent(JsonElement? element, string key) =>
        element is JsonElement e && e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var value) ? ContentOf(value) : null;

    /// <summary>A special token is written as a string or as an AddedToken object with "content".</summary>
    private static string? ContentOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("content", out var content) => content.GetString(),
        _ => null,
    };

    private static string? StringOf(JsonElement? element, string key) =>
        element is JsonElement e && e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? BoolOf(JsonElement? element, string key) =>
        element is JsonElement e && e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var value)
            && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
