using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// A checkpoint in Hugging Face layout, ready to write: <c>config.json</c>, the weights (<c>model.safetensors</c>)
/// and the tokenizer files by file name (<c>vocab.json</c>, <c>merges.txt</c>, <c>tokenizer_config.json</c>, ...).
/// </summary>
public sealed record HfCheckpoint(
    JsonObject Config,
    IReadOnlyList<NamedTensor> Weights,
    IReadOnlyDictionary<string, string> TokenizerFiles);

/// <summary>
/// Writes a checkpoint folder the way <c>save_pretrained</c> lays it out, so the scorer (and transformers) load it
/// like any upload. The folder appears atomically: everything is written to a sibling temporary folder that is
/// renamed at the end, so an interrupted run never leaves a half-written checkpoint that looks complete.
/// </summary>
public static class HfCheckpointWriter
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string folder, HfCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var target = Path.GetFullPath(folder);
        if (Directory.Exists(target))
            throw new IOException($"The checkpoint folder '{target}' already exists; remove it to write it again.");
        foreach (var name in checkpoint.TokenizerFiles.Keys)
        {
            if (name is ConfigFileName or WeightsFileName || name != Path.GetFileName(name))
                throw new ArgumentException($"'{name}' is not a valid tokenizer file name.", nameof(checkpoint));
        }

        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, ConfigFileName), checkpoint.Config.ToJsonString(Indented) + "\n", Utf8);
            SafetensorsWriter.Write(
                Path.Combine(staging, WeightsFileName),
                checkpoint.Weights,
                new Dictionary<string, string> { ["format"] = "pt" });
            foreach (var (name, content) in checkpoint.TokenizerFiles)
                File.WriteAllText(Path.Combine(staging, name), content, Utf8);
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
