using System.Text.Json;

namespace LogLikeMap.Tests.Checkpoints;

/// <summary>
/// The tiny checkpoints of TestData/scoring (copied from the shared fixtures; see its README.md): gpt2-tiny,
/// llama-spm and neox-tiny, the texts they were scored on, and the Hugging Face token ids of each text.
/// </summary>
internal static class ScoringFixtures
{
    public static readonly string[] ModelNames = ["gpt2-tiny", "llama-spm", "neox-tiny"];

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "scoring");

    public static string ModelFolder(string name) => Path.Combine(Folder, name);

    /// <summary>texts.jsonl as (index, text) in file order.</summary>
    public static IReadOnlyList<(long Index, string Text)> Texts() =>
        ReadLines("texts.jsonl", line => (line.GetProperty("index").GetInt64(), line.GetProperty("text").GetString()!));

    /// <summary>NAME.ids.jsonl: the ids Hugging Face's tokenizer gave each text (special tokens included, truncated to the model's maximum positions).</summary>
    public static IReadOnlyDictionary<long, int[]> Ids(string name) =>
        ReadLines(name + ".ids.jsonl", line => (line.GetProperty("index").GetInt64(),
                line.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray()))
            .ToDictionary(entry => entry.Item1, entry => entry.Item2);

    private static List<T> ReadLines<T>(string fileName, Func<JsonElement, T> read) =>
        File.ReadLines(Path.Combine(Folder, fileName))
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line =>
            {
                using var document = JsonDocument.Parse(line);
                return read(document.RootElement);
            })
            .ToList();
}
