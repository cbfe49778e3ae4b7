using LogLikeMap.Scoring.Models;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring;

/// <summary>
/// A log-likelihood that came out NaN or infinite: the model is numerically broken (NaN or infinite weights) or its
/// arithmetic overflowed the dtype it was scored in. Raised before the batch reaches any results file.
/// </summary>
public sealed class NonFiniteLogLikelihoodException(string message) : Exception(message);

/// <summary>Checks each batch's sums before they are kept; a text whose log-likelihood is not finite stops the run.</summary>
internal static class NonFiniteScores
{
    /// <summary>Throws <see cref="NonFiniteLogLikelihoodException"/> naming the first text whose sum is NaN or infinite.</summary>
    public static void Check(CausalLanguageModel model, IReadOnlyList<TokenizedText> texts, IReadOnlyList<double> sums, ScoringPrecision precision)
    {
        var bad = Enumerable.Range(0, sums.Count).Where(i => !double.IsFinite(sums[i])).ToArray();
        if (bad.Length == 0)
            return;
        var first = texts[bad[0]];
        var dtype = precision.ToString().ToLowerInvariant();
        var what = $"Text {first.Index} ({first.Ids.Count} tokens) got a log-likelihood of {Describe(sums[bad[0]])} in {dtype}" +
                   (bad.Length > 1 ? $", and {bad.Length - 1} more text(s) of the same batch did too" : "") + ". ";
        var cause = FirstNonFiniteWeight(model) is { } weight
            ? $"The checkpoint's tensor '{weight}' holds NaN or infinite values, so no dtype can score it: the model is " +
              "numerically broken. Check the training run that saved it, or upload an earlier checkpoint."
            : precision == ScoringPrecision.Float32
                ? "The weights are finite, so the model's own arithmetic overflowed float32 (its activations grow without " +
                  "bound): the model is numerically broken and cannot be placed."
                : $"The weights are finite, so the activations overflowed {dtype}'s range (float16 holds at most 65,504). " +
                  "Score this model in float32 (Jobs:ScoringPrecision, or --dtype float32).";
        throw new NonFiniteLogLikelihoodException(what + cause);
    }

    private static string Describe(double value) =>
        double.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

    /// <summary>The checkpoint name of the first parameter with a NaN or infinite element, or null when all are finite.</summary>
    private static string? FirstNonFiniteWeight(CausalLanguageModel model)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var finite = parameter.isfinite().all();
            if (!finite.item<bool>())
                return name;
        }
        return null;
    }
}
