using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring;

/// <summary>
/// What wrote a results file: the checkpoint (its <see cref="Checkpoints.CheckpointFingerprint"/>), the dtype, and the
/// texts as token ids. Checkpoints sharing a tokenizer give the same token counts, so the results alone cannot tell
/// one model's file from another's; this record, kept beside them in <c>RESULTS.run.json</c> (the results file stays in
/// the paper's format), lets a rerun resume only its own run.
/// </summary>
/// <param name="CheckpointFolder">Where the checkpoint was: for messages only (a moved folder is still the same checkpoint).</param>
/// <param name="CheckpointFingerprint">SHA-256 hex of the checkpoint's config, layout and sampled weights.</param>
/// <param name="Precision">The dtype the model computed in.</param>
/// <param name="TextsFingerprint">SHA-256 hex of the texts as token ids (<see cref="FingerprintOf"/>): other texts or another tokenizer change it.</param>
public sealed record ScoringRunIdentity(string CheckpointFolder, string CheckpointFingerprint, ScoringPrecision Precision, string TextsFingerprint)
{
    /// <summary>Where the identity of the results file at <paramref name="resultsPath"/> is kept.</summary>
    public static string PathFor(string resultsPath) => resultsPath + ".run.json";

    /// <summary>SHA-256 hex of texts by index: each index (int64), token count (int32) and ids (int32), little-endian.</summary>
    public static string FingerprintOf(IEnumerable<TokenizedText> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var text in texts.OrderBy(t => t.Index))
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, text.Index);
            hash.AppendData(number);
            BinaryPrimitives.WriteInt32LittleEndian(number, text.Ids.Count);
            hash.AppendData(number[..4]);
            foreach (var id in text.Ids)
            {
                BinaryPrimitives.WriteInt32LittleEndian(number, id);
                hash.AppendData(number[..4]);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>What differs from an <paramref name="earlier"/> run, in words; empty when this run may resume it.</summary>
    public IReadOnlyList<string> DifferencesFrom(ScoringRunIdentity earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var differences = new List<string>();
        if (CheckpointFingerprint != earlier.CheckpointFingerprint)
        {
            differences.Add(CheckpointFolder == earlier.CheckpointFolder
                ? $"the checkpoint at {CheckpointFolder} has changed since (its config or weights differ)"
                : $"it was scored by the checkpoint at {earlier.CheckpointFolder}, not by {CheckpointFolder} (their config or weights differ)");
        }
        if (Precision != earlier.Precision)
            differences.Add($"it was scored in {DTypeName(earlier.Precision)}, this run asks for {DTypeName(Precision)}");
        if (TextsFingerprint != earlier.TextsFingerprint)
            differences.Add("it was scored on other texts, or on these texts tokenized otherwise");
        return differences;
    }

    /// <summary>Reads the identity kept beside a results file; null when there is none.</summary>
    internal static ScoringRunIdentity? Read(string resultsPath)
    {
        var path = PathFor(resultsPath);
        if (!File.Exists(path))
            return null;
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject ?? throw Unreadable("it is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Unreadable($"it is not valid JSON: {e.Message}", e);
        }
        var dtype = Field("dtype");
        if (!Enum.TryParse<ScoringPrecision>(dtype, ignoreCase: true, out var precision) || !Enum.IsDefined(precision))
            throw Unreadable($"\"dtype\" is '{dtype}', not float32, bfloat16 or float16");
        return new ScoringRunIdentity(Field("checkpoint"), Field("checkpoint-sha256"), precision, Field("texts-sha256"));

        string Field(string name) =>
            json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw Unreadable($"it has no \"{name}\" string");

        InvalidDataException Unreadable(string why, Exception? inner = null) => new(
            $"{path} does not say which run wrote {resultsPath} ({why}), so that file cannot be resumed. " +
            "Delete both files, or choose another results file (--out), to score again.", inner);
    }

    /// <summary>Writes the identity beside a results file, through a temporary file so it is never half-written.</summary>
    internal void Write(string resultsPath)
    {
        var path = PathFor(resultsPath);
        var json = new JsonObject
        {
            ["checkpoint"] = CheckpointFolder,
            ["checkpoint-sha256"] = CheckpointFingerprint,
            ["dtype"] = DTypeName(Precision),
            ["texts-sha256"] = TextsFingerprint,
        };
        var temporary = path + ".writing";
        File.WriteAllText(temporary, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The CLI's and the web app's name of a dtype: float32, bfloat16, float16.</summary>
    private static string DTypeName(ScoringPrecision precision) => precision.ToString().ToLowerInvariant();
}
