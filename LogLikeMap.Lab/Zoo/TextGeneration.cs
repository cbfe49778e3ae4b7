using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// Ancestral sampling from a checkpoint: each token drawn from the model's own next-token distribution (temperature
/// 1, no top-k or nucleus cut), so the samples follow p_i exactly and average log p_i(x) - log p_j(x) over them
/// estimates KL(p_i || p_j) without bias. Token ids in, token ids out: no tensor leaves this class.
/// </summary>
public static class TextGeneration
{
    /// <summary>
    /// One sequence of <paramref name="length"/> tokens per entry of <paramref name="firstTokens"/>, each starting with
    /// that token. The first token is given rather than sampled because the paper's score never includes it
    /// (docs/method.md 1.2), so the sequences follow p_i(x_2..x_L | x_1) as the scores do.
    /// </summary>
    public static IReadOnlyList<int[]> Sample(
        string checkpointFolder, IReadOnlyList<int> firstTokens, int length, long seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(firstTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        using var model = CheckpointLoader.Load(CheckpointFolder.Open(checkpointFolder), ScalarType.Float32, CPU);
        if (length > model.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(length), $"{checkpointFolder} reads at most {model.MaxPositions} positions; asked for {length}.");

        using var generator = new Generator((ulong)seed, CPU);
        using var inference = inference_mode();
        var sequences = tensor(firstTokens.Select(t => (long)t).ToArray(), [firstTokens.Count, 1], ScalarType.Int64, CPU);  // (B, 1)
        for (var t = 1; t < length; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var logits = model.forward(sequences)[.., -1, ..];                                          // (B, V)
            var probabilities = nn.functional.softmax(logits.to(ScalarType.Float32), dim: -1);          // (B, V)
            var next = multinomial(probabilities, 1, replacement: true, generator: generator);          // (B, 1)
            var longer = cat([sequences, next], dim: 1).MoveToOuterDisposeScope();                      // (B, t+1)
            sequences.Dispose();
            sequences = longer;
        }
        var ids = sequences.data<long>().ToArray();
        sequences.Dispose();
        return [.. Enumerable.Range(0, firstTokens.Count)
            .Select(b => ids.AsSpan(b * length, length).ToArray().Select(id => (int)id).ToArray())];
    }
}
