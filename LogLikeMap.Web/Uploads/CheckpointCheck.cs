using System.Text.Json;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Checks a Hugging Face checkpoint folder before it is queued for scoring: config.json with a model_type,
/// safetensors weights (pickled .bin weights are refused: unpickling can run code), tokenizer files.
/// Returns the architecture (model_type).
/// </summary>
public static class CheckpointCheck
{
    private static readonly string[] PickleExtensions = [".bin", ".pt", ".pth", ".ckpt", ".pkl"];

    public static string Check(string folder)
    {
        var config = Path.Combine(folder, "config.json");
        if (!File.Exists(config))
            throw new UploadRejectedException("The checkpoint has no config.json at its top level. Upload the folder that save_pretrained() wrote.");
        string? modelType;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            modelType = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("model_type", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new UploadRejectedException($"config.json is not valid JSON ({e.Message}). Upload the config.json that save_pretrained() wrote.", e);
        }
        if (string.IsNullOrEmpty(modelType))
            throw new UploadRejectedException("config.json has no \"model_type\", so the architecture is unknown. Upload the config.json that save_pretrained() wrote.");

        var files = Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().ToArray();
        if (!files.Any(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)))
        {
            if (files.Any(f => PickleExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())))
            {
                throw new UploadRejectedException(
                    "The checkpoint has only pickled PyTorch weights (.bin/.pt); they are refused because loading a pickle can run code. " +
                    "Convert them to safetensors (model.save_pretrained(dir, safe_serialization=True)) and upload again.");
            }
            throw new UploadRejectedException("The checkpoint has no weights: expected model.safetensors, or model-0000x-of-0000y.safetensors shards with model.safetensors.index.json.");
        }

        var hasTokenizer = files.Contains("tokenizer.json")
            || (files.Contains("vocab.json") && files.Contains("merges.txt"))
            || files.Contains("tokenizer.model");
        if (!hasTokenizer)
        {
            throw new UploadRejectedException(
                "The checkpoint has no tokenizer: expected tokenizer.json, or vocab.json with merges.txt, or tokenizer.model. " +
                "Save the tokenizer into the same folder (tokenizer.save_pretrained(dir)) and upload again.");
        }
        return modelType;
    }
}
