using System.Runtime.InteropServices;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Web.Jobs;
using static TorchSharp.torch;

namespace LogLikeMap.Tests.Web.Jobs;

/// <summary>What a failed scoring job tells the user: files relative to the checkpoint, libtorch's native text in words.</summary>
public sealed class ScoringFailureTests
{
    private static readonly string Checkpoint = Path.Combine(Path.GetTempPath(), "data", "uploads", "0123abcd", "checkpoint");

    [Fact]
    public void Files_are_named_relative_to_the_checkpoint_and_the_folder_as_the_checkpoint()
    {
        var error = new CheckpointException(
            $"{Checkpoint}{Path.DirectorySeparatorChar}model.safetensors: the tensor 'lm_head.weight' is stored as I8; weights must be F32, F16, BF16 or F64. ({Checkpoint})");

        var failure = ScoringFailedException.From(error, Checkpoint);

        Assert.Equal(
            "model.safetensors: the tensor 'lm_head.weight' is stored as I8; weights must be F32, F16, BF16 or F64. (the checkpoint)", failure.Message);
        Assert.Same(error, failure.InnerException);
    }

    [Fact]
    public void A_native_allocation_failure_is_told_in_words()
    {
        var error = Assert.ThrowsAny<ExternalException>(() => empty(1L << 50, ScalarType.Float32));

        var failure = ScoringFailedException.From(error, Checkpoint);

        Assert.StartsWith("The server ran out of memory while loading or scoring the model: libtorch could not allocate 4503599.627 GB more.", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c10::", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("frame #", failure.Message, StringComparison.Ordinal);
    }
}
