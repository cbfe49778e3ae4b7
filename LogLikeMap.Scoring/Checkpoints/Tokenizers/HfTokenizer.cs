using System.Text.Json;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// A checkpoint's tokenizer, giving the ids Hugging Face's <c>tokenizer.encode(text)</c> gives (transformers'
/// default <c>add_special_tokens=True</c>: Llama's BOS in front, nothing for GPT-2), which is how the paper tokenizes
/// texts before scoring. Built from <c>tokenizer.json</c> (preferred, as transformers' fast tokenizers do) or GPT-2-style
/// <c>vocab.json</c> + <c>merges.txt</c>, plus <c>tokenizer_config.json</c>. The BPE merges run in Microsoft.ML.Tokenizers;
/// the surrounding steps follow the Hugging Face tokenizers pipeline: added tokens are cut out first, the stretches
/// between them are normalized and pre-tokenized, each word is merged, and the template adds the special tokens.
/// Encoding is thread-safe. Truncation keeps the template's special tokens, as Hugging Face's does.
/// </summary>
public sealed class HfTokenizer
{
    private readonly BpeModel _model;
    private readonly TextNormalizer? _normalizer;
    private readonly PreTokenizerStep? _preTokenizer;
    private readonly SpecialTokenTemplate _template;
    private readonly AddedTokenMatcher _rawTokens;
    private readonly AddedTokenMatcher _normalizedTokens;

    private HfTokenizer(TokenizerSource source, TokenizerParts parts, BpeModel model, IReadOnlyList<AddedToken> addedTokens, SpecialTokenTemplate template, int? bosId, int? eosId)
    {
        Source = source;
        _model = model;
        _normalizer = parts.Normalizer;
        _preTokenizer = parts.PreTokenizer;
        _template = template;
        // tokenizers' AddedVocabulary: tokens with normalized=false are found in the raw text, the others in the
        // normalized text, spelled as normalized themselves (with Llama's Prepend, "▁cat" is looked for as "▁▁cat").
        // Without a normalizer both are the same text.
        _rawTokens = new AddedTokenMatcher(addedTokens.Where(t => !t.Normalized || _normalizer is null));
        _normalizedTokens = new AddedTokenMatcher(addedTokens.Where(t => t.Normalized && _normalizer is not null)
            .Select(t => t with { Content = _normalizer!.Normalize(t.Content) }));
        BeginningOfSentenceId = bosId;
        EndOfSentenceId = eosId;
        VocabularySize = Math.Max(_model.VocabularyMaxId, addedTokens.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;
    }

    /// <summary>Which files the tokenizer came from.</summary>
    public TokenizerSource Source { get; }

    /// <summary>Id of the beginning-of-sequence token named by tokenizer_config.json (GPT-2's default: &lt;|endoftext|&gt;), if any.</summary>
    public int? BeginningOfSentenceId { get; }

    /// <summary>Id of the end-of-sequence token, if any.</summary>
    public int? EndOfSentenceId { get; }

    /// <summary>One more than the largest id the tokenizer can produce (transformers' <c>len(tokenizer)</c> when ids are dense); the model's vocab_size may be larger.</summary>
    public int VocabularySize { get; }

    /// <summary>Loads the tokenizer of a checkpoint folder; throws <see cref="CheckpointException"/> naming the file and what is unsupported.</summary>
    public static HfTokenizer Load(string checkpointFolder)
    {
        var files = TokenizerFiles.Find(Path.GetFullPath(checkpointFolder));
        var path = files.Source == TokenizerSource.TokenizerJson
            ? Path.Combine(files.Folder, TokenizerFiles.TokenizerJsonName)
            : Path.Combine(files.Folder, TokenizerFiles.VocabName);
        try
        {
            var config = TokenizerConfig.Read(files.Folder);
            return files.Source == TokenizerSource.TokenizerJson
                ? FromTokenizerJson(path, config)
                : FromVocabAndMerges(files.Folder, config);
        }
        catch (Exception ex) when (ex is NotSupportedException or KeyNotFoundException or InvalidOperationException
            or FormatException or ArgumentException or JsonException or IndexOutOfRangeException)
        {
            throw new CheckpointException($"{path}: LogLikeMap cannot use this tokenizer: {ex.Message}. It reads {TokenizerJsonFile.SupportedModels}, "
                + $"with normalizers {TextNormalizer.Supported}, pre-tokenizers {PreTokenizerStep.Supported} and post-processors {SpecialTokenTemplate.Supported}.", ex);
        }
    }

    /// <summary>The ids of <paramref name="text"/> with the tokenizer's special tokens, equal to Hugging Face's <c>tokenizer.encode(text)</c>.</summary>
    public IReadOnlyList<int> EncodeWithSpecialTokens(string text) => EncodeWithSpecialTokens(text, int.MaxValue);

    /// <summary>
    /// The ids of <paramref name="text"/> with the tokenizer's special tokens, at most <paramref name="maxLength"/> of
    /// them, equal to Hugging Face's <c>tokenizer.encode(text, truncation=True, max_length=maxLength)</c>: the text's
    /// tokens are cut at the end so that they and the template's special tokens fit, so a template's EOS survives
    /// (tokenizers <c>TokenizerImpl::encode</c> truncates to <c>max_length - added_tokens</c> before post-processing).
    /// </summary>
    public IReadOnlyList<int> EncodeWithSpecialTokens(string text, int maxLength)
    {
        var ids = EncodeText(text);
        CutToFit(ids, maxLength);
        _template.Apply(ids);
        return ids;
    }

    /// <summary>
    /// Cuts ids that <see cref="EncodeWithSpecialTokens(string)"/> gave to at most <paramref name="maxLength"/>, as
    /// encoding with that maximum would have: the template's tokens at both ends are kept. Ids that do not carry the
    /// template are cut at the end.
    /// </summary>
    public IReadOnlyList<int> Truncate(IReadOnlyList<int> idsWithSpecialTokens, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(idsWithSpecialTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (idsWithSpecialTokens.Count <= maxLength)
            return idsWithSpecialTokens;
        if (!_template.Surrounds(idsWithSpecialTokens))
            return idsWithSpecialTokens.Take(maxLength).ToArray();
        var text = idsWithSpecialTokens.Skip(_template.Before.Count).Take(idsWithSpecialTokens.Count - _template.Count).ToList();
        CutToFit(text, maxLength);
        _template.Apply(text);
        return text;
    }

    private void CutToFit(List<int> textIds, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, _template.Count, nameof(maxLength));
        var room = maxLength - _template.Count;
        if (textIds.Count > room)
            textIds.RemoveRange(room, textIds.Count - room);
    }

    /// <summary>The ids of the text alone: added tokens found in it, the rest normalized, pre-tokenized and merged.</summary>
    private List<int> EncodeText(string text)
    {
        var ids = new List<int>(text.Length / 3 + 2);
        foreach (var segment in _rawTokens.Split(text))
        {
            if (segment.Token is not null)
            {
                ids.Add(segment.Token.Id);
                continue;
            }
            var plain = text[segment.Start..segment.End];
            var normalized = _normalizer?.Normalize(plain) ?? plain;
            foreach (var piece in _normalizedTokens.Split(normalized))
            {
                if (piece.Token is not null)
                {
                    ids.Add(piece.Token.Id);
                    continue;
                }
                var word = new TextPiece(normalized[piece.Start..piece.End], AtTextStart: segment.Start == 0 && piece.Start == 0);
                if (_preTokenizer is null)
                {
                    _model.Encode(word.Text, ids);
                    continue;
                }
                var words = new List<TextPiece>();
                _preTokenizer.Split(word, words);
                foreach (var w in words)
                    _model.Encode(w.Text, ids);
            }
        }
        return ids;
    }

    private static HfTokenizer FromTokenizerJson(string path, TokenizerConfig config)
    {
        var parts = TokenizerJsonFile.Read(path);
        var model = new BpeModel(parts.Model);
        var added = WithConfigTokens(parts.AddedTokens, config, model);
        var template = parts.Template;
        if (config.RebuildsTemplateFromFlags)
        {
            var addBos = config.AddBosToken ?? true;
            var addEos = config.AddEosToken ?? false;
            template = new SpecialTokenTemplate(
                addBos ? [IdOf(config.BosToken, "bos_token", added, model)] : [],
                addEos ? [IdOf(config.EosToken, "eos_token", added, model)] : []);
        }
        return new HfTokenizer(TokenizerSource.TokenizerJson, parts, model, added, template,
            OptionalId(config.BosToken, added, model), OptionalId(config.EosToken, added, model));
    }

    private static HfTokenizer FromVocabAndMerges(string folder, TokenizerConfig config)
    {
        var parts = TokenizerJsonFile.ReadVocabAndMerges(
            Path.Combine(folder, TokenizerFiles.VocabName), Path.Combine(folder, TokenizerFiles.MergesName), config.AddPrefixSpace ?? false);
        var model = new BpeModel(parts.Model);
        // GPT2Tokenizer's defaults: <|endoftext|> is the unknown, beginning and end token.
        const string EndOfText = "<|endoftext|>";
        var defaults = config == TokenizerConfig.Empty && model.TryGetId(EndOfText, out _)
            ? config with { BosToken = EndOfText, EosToken = EndOfText }
            : config;
        var added = WithConfigTokens([], defaults, model);
        var template = defaults.AddBosToken == true || defaults.AddEosToken == true
            ? new SpecialTokenTemplate(
                defaults.AddBosToken == true ? [IdOf(defaults.BosToken, "bos_token", added, model)] : [],
                defaults.AddEosToken == true ? [IdOf(defaults.EosToken, "eos_token", added, model)] : [])
            : SpecialTokenTemplate.None;
        return new HfTokenizer(TokenizerSource.VocabAndMerges, parts, model, added, template,
            OptionalId(defaults.BosToken, added, model), OptionalId(defaults.EosToken, added, model));
    }

    /// <summary>
    /// transformers also matches the special tokens named in tokenizer_config.json (bos, eos, unk, pad, additional)
    /// and its added_tokens_decoder as added tokens. Names missing from the vocabulary are left out: transformers
    /// would give them new ids the model has no embedding for.
    /// </summary>
    private static List<AddedToken> WithConfigTokens(IReadOnlyList<AddedToken> fromFile, TokenizerConfig config, BpeModel model)
    {
        var added = new List<AddedToken>();
        var contents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in fromFile.Concat(config.AddedTokensDecoder))
        {
            if (contents.Add(token.Content))
                added.Add(token with { Id = AddedTokenId(token.Content, added, model) });
        }
        var named = new[] { config.BosToken, config.EosToken }.Concat(config.OtherSpecialTokens).OfType<string>();
        foreach (var content in named)
        {
            if (!contents.Contains(content) && model.TryGetId(content, out var id))
            {
                added.Add(new AddedToken(id, content, SingleWord: false, LeftStrip: false, RightStrip: false, Normalized: false, Special: true));
                contents.Add(content);
            }
        }
        return added;
    }

    /// <summary>
    /// The id tokenizers' <c>AddedVocabulary::add_tokens</c> gives an added token, whatever id the file wrote next to
    /// it (checked against the Rust library): the model's id when the vocabulary holds the content, otherwise the
    /// next id after the vocabulary and the added tokens so far. Files written by Hugging Face already agree.
    /// </summary>
    private static int AddedTokenId(string content, List<AddedToken> addedSoFar, BpeModel model)
    {
        if (model.TryGetId(content, out var id))
            return id;
        var vocabularySize = model.VocabularyCount;
        var max = addedSoFar.Select(t => t.Id).DefaultIfEmpty(-1).Max();
        return max >= vocabularySize ? max + 1 : vocabularySize;
    }

    private static int IdOf(string? token, string role, List<AddedToken> added, BpeModel model) =>
        OptionalId(token, added, model)
        ?? throw new NotSupportedException($"tokenizer_config.json asks for the {role} but {(token is null ? "names none" : $"'{token}' is not in the vocabulary")}");

    private static int? OptionalId(string? token, List<AddedToken> added, BpeModel model)
    {
        if (token is null)
            return null;
        var addedToken = added.Find(t => t.Content == token);
        if (addedToken is not null)
            return addedToken.Id;
        return model.TryGetId(token, out var id) ? id : null;
    }
}
