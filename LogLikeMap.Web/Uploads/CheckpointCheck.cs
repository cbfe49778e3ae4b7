using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Web.Jobs;

namespace LogLikeMap.Web.Uploads;

/// <summary>
/// Checks a Hugging Face checkpoint folder before it is queued for scoring, with the scorer's own checks
/// (Core/Checkpoints: config.json, safetensors headers, pickled weights refused, tokenizer loads), the model
/// registry (a supported model_type), config.json against the weights' shapes (<see cref="ModelShapeCheck"/>) and
/// the model's memory against the scoring worker's (<see cref="ModelMemoryLimit"/>). Returns the architecture (model_type).
/// </summary>
public static class CheckpointCheck
{
    /// <param name="shownAs">How messages name the folder (a temporary upload folder means nothing to the user).</param>
    public static string Check(string folder, string shownAs, JobsOptions jobs)
    {
        var fullPath = Path.GetFullPath(folder);
        try
        {
            var checkpoint = CheckpointFolder.Open(fullPath);
            var architecture = ModelRegistry.Find(checkpoint.ModelType).ModelType;
            ModelMemoryLimit.Check(ModelShapeCheck.Check(checkpoint), jobs);
            return architecture;
        }
        catch (Exception e) when (e is CheckpointException or NotSupportedException)
        {
            throw new UploadRejectedException(CheckpointPaths.Relative(e.Message, fullPath, shownAs), e);
        }
    }
}
