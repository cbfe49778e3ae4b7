using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// Gemma 2's tanh soft-capping (HF <c>modeling_gemma2.py</c>, on attention scores and on the final logits):
/// x becomes cap * tanh(x / cap), close to x for |x| much below cap and never beyond +-cap. Computed in x's dtype, as HF does.
/// </summary>
internal static class SoftCapping
{
    public static Tensor Apply(Tensor x, double? cap) => cap is { } c ? x.DividedBy(c).tanh().Times(c) : x;
}
