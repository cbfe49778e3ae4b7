using LogLikeMap.Core.Checkpoints;
using LogLikeMap.Core.Models;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Checks a Hugging Face checkpoint folder before it is queued for scoring, with the scorer's own checks
/// (Core/Checkpoints: config.json, safetensors headers, pickled weights refused, tokenizer loads) and the
/// model registry (a supported model_type). Returns the architecture (model_type).
/// </summary>
public static class CheckpointCheck
{
    /// <param name="shownAs">How messages name the folder (a temporary upload folder means nothing to the user).</param>
    public static string Check(string folder, string shownAs)
    {
        var fullPath = Path.GetFullPath(folder);
        try
        {
            var checkpoint = CheckpointFolder.Open(fullPath);
            return ModelRegistry.Find(checkpoint.ModelType).ModelType;
        }
        catch (Exception e) when (e is CheckpointException or NotSupportedException)
        {
            throw new UploadRejectedException(e.Message.Replace(fullPath, shownAs, StringComparison.Ordinal), e);
        }
    }
}
