using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// ALiBi, attention with linear biases (Press, Smith and Lewis, ICLR 2022), as HF's <c>build_alibi_tensor</c> computes
/// it for BLOOM (<c>modeling_bloom.py</c>) and Falcon-RW (<c>modeling_falcon.py</c>): no position embedding; each head h
/// adds slope_h x j to its score for key position j. Softmax is unchanged by a constant per query, so this equals the
/// paper's -slope_h x (i - j) distance penalty.
/// </summary>
internal static class Alibi
{
    /// <summary>
    /// The head slopes in float32 (heads). For n, the largest power of two not above the head count, head i (1-based)
    /// gets 2^(-8i/n); the heads beyond n take the odd-numbered slopes of the sequence for 2n heads, 2^(-4i/n) for
    /// i = 1, 3, 5, ... Computed as HF does, base^power in float32, so that the rounding is the same.
    /// </summary>
    public static Tensor Slopes(int heads, Device device)
    {
        var powerOfTwo = 1 << (int)Math.Floor(Math.Log2(heads));
        // base = 2^(-(2^-(log2(n) - 3))) = 2^(-8/n)
        var slopes = pow(
            tensor(Math.Pow(2, -Math.Pow(2, -(Math.Log2(powerOfTwo) - 3))), ScalarType.Float32, device),
            Arithmetic.Range(1, 1 + powerOfTwo, 1, ScalarType.Int32, device));                         // (n)
        if (powerOfTwo == heads)
            return slopes;
        var extraBase = tensor(Math.Pow(2, -Math.Pow(2, -(Math.Log2(2 * powerOfTwo) - 3))), ScalarType.Float32, device);
        var remaining = Math.Min(powerOfTwo, heads - powerOfTwo);
        var extra = pow(extraBase, Arithmetic.Range(1, 1 + 2 * remaining, 2, ScalarType.Int32, device));  // (heads - n)
        return cat([slopes, extra], 0);                                                                // (heads)
    }

    /// <summary>
    /// The additive attention mask (1, heads, T, T) in <paramref name="dtype"/>: slope_h x j / <paramref name="divisor"/>
    /// for key j at or before query i, -inf after it. BLOOM adds slope x j in the model's dtype to the scaled scores
    /// (divisor 1). Falcon multiplies slopes and positions in bfloat16 whatever the model's dtype, then
    /// adds the product divided by sqrt(head_dim), i.e. to the scores before their scaling
    /// (<paramref name="productInBFloat16"/> true, divisor sqrt(head_dim)).
    /// </summary>
    public static Tensor CausalMask(int heads, long positions, Device device, ScalarType dtype, bool productInBFloat16, double divisor)
    {
        using var scope = NewDisposeScope();
        var slopes = Slopes(heads, device).unsqueeze(1);                                               // (nh, 1)
        var keys = Arithmetic.Range(positions, ScalarType.Float32, device).unsqueeze(0);               // (1, T)
        // Falcon multiplies bfloat16 slopes by the int64 positions: type promotion makes both bfloat16 first (so
        // positions above 256 are rounded too), and the product of two 8-bit significands, exact in float32, is
        // rounded once more to bfloat16.
        var bias = productInBFloat16
            ? (RoundToBFloat16(slopes) * RoundToBFloat16(keys)).to(ScalarType.BFloat16)
            : slopes * keys;                                                                           // (nh, T)
        bias = bias.to(dtype);
        if (divisor != 1.0)
            bias = bias.DividedBy(divisor);
        var future = ones(positions, positions, ScalarType.Bool, device).triu(1);                     // (T, T), key after query
        return bias.unsqueeze(1).expand(heads, positions, positions)
                   .FilledWhere(future, double.NegativeInfinity)
                   .unsqueeze(0)
                   .MoveToOuterDisposeScope();                                                         // (1, nh, T, T)
    }

    private static Tensor RoundToBFloat16(Tensor x) => x.to(ScalarType.BFloat16).to(ScalarType.Float32);
}
