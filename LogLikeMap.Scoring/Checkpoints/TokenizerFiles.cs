namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>Which tokenizer files a checkpoint folder holds.</summary>
public enum TokenizerSource
{
    /// <summary><c>tokenizer.json</c>, the Hugging Face tokenizers library's full description (preferred when present, as transformers' fast tokenizers do).</summary>
    TokenizerJson,

    /// <summary><c>vocab.json</c> + <c>merges.txt</c>: GPT-2-style byte-level BPE.</summary>
    VocabAndMerges,
}

/// <summary>The tokenizer files of a checkpoint folder.</summary>
public sealed record TokenizerFiles(TokenizerSource Source, string Folder)
{
    public const string TokenizerJsonName = "tokenizer.json";
    public const string TokenizerConfigName = "tokenizer_config.json";
    public const string VocabName = "vocab.json";
    public const string MergesName = "merges.txt";
    public const string SpecialTokensMapName = "special_tokens_map.json";

    /// <summary>Finds the tokenizer files of a folder, or throws saying which files are needed.</summary>
    public static TokenizerFiles Find(string folder)
    {
        if (File.Exists(Path.Combine(folder, TokenizerJsonName)))
            return new TokenizerFiles(TokenizerSource.TokenizerJson, folder);
        var hasVocab = File.Exists(Path.Combine(folder, VocabName));
        var hasMerges = File.Exists(Path.Combine(folder, MergesName));
        if (hasVocab && hasMerges)
            return new TokenizerFiles(TokenizerSource.VocabAndMerges, folder);
        if (hasVocab != hasMerges)
            throw new CheckpointException($"{folder} has {(hasVocab ? VocabName : MergesName)} but not {(hasVocab ? MergesName : VocabName)}; a byte-level BPE tokenizer needs both. Copy the missing file from the original checkpoint.");
        var sentencePiece = File.Exists(Path.Combine(folder, "tokenizer.model"))
            ? " It has only a SentencePiece tokenizer.model, which LogLikeMap does not read: save the tokenizer with transformers (AutoTokenizer.from_pretrained(...).save_pretrained(...)) to get tokenizer.json."
            : "";
        throw new CheckpointException($"{folder} has no tokenizer: expected {TokenizerJsonName}, or {VocabName} + {MergesName}.{sentencePiece}");
    }
}
