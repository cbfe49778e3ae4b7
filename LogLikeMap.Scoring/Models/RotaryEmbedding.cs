using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// Rotary position embeddings as HF computes them (<c>modeling_rope_utils.py</c> for the inverse frequencies,
/// <c>rotate_half</c> and <c>apply_rotary_pos_emb</c> in <c>modeling_llama.py</c> / <c>modeling_gpt_neox.py</c>).
/// The frequencies and angles are float32 whatever the model's dtype, as in HF; cos and sin are then cast to it.
/// </summary>
internal sealed class RotaryEmbedding
{
    // Kept as numbers, not a registered buffer, so that moving the model to bfloat16 cannot round them.
    private readonly float[] _inverseFrequencies;

    // LongRoPE only: the frequencies for sequences longer than _longFrom positions, and the factor on cos and sin.
    private readonly float[]? _longInverseFrequencies;
    private readonly int _longFrom;
    private readonly float _attentionScaling = 1.0f;

    private RotaryEmbedding(float[] inverseFrequencies) => _inverseFrequencies = inverseFrequencies;

    private RotaryEmbedding(float[] shortInverseFrequencies, float[] longInverseFrequencies, int longFrom, float attentionScaling)
    {
        _inverseFrequencies = shortInverseFrequencies;
        _longInverseFrequencies = longInverseFrequencies;
        _longFrom = longFrom;
        _attentionScaling = attentionScaling;
    }

    /// <summary>The number of leading features of each head that rotate (the rest pass through unchanged).</summary>
    public int Dimensions => 2 * _inverseFrequencies.Length;

    /// <summary>
    /// LongRoPE: sequences longer than this many positions rotate with the long factors (null for every other kind).
    /// The choice is made for the whole sequence, so texts on both sides must not share a batch.
    /// </summary>
    public int? LongSequenceThreshold => _longInverseFrequencies is null ? null : _longFrom;

    /// <summary>
    /// The frequencies for <paramref name="dimensions"/> rotating features, 1 / theta^(2i/d)
    /// (<c>_compute_default_rope_parameters</c>), then rescaled when the config asks for it.
    /// </summary>
    public static RotaryEmbedding Create(int dimensions, double theta, RopeScaling? scaling)
    {
        if (scaling is { Type: RopeScalingType.LongRope })
            return LongRope(dimensions, theta, scaling);
        using var scope = NewDisposeScope();
        // On the CPU whatever device the model is built on: the numbers are read back here, and a model built on the
        // meta device (ModelShapeCheck) has none to read.
        // inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        var exponents = Arithmetic.Range(0, dimensions, 2, ScalarType.Int64, CPU).to(ScalarType.Float32).DividedBy(dimensions);
        var inverse = pow(tensor(theta, ScalarType.Float32, CPU), exponents).Dividing(1.0);
        inverse = scaling switch
        {
            null => inverse,
            // _compute_linear_scaling_rope_parameters: positions are divided by the factor.
            { Type: RopeScalingType.Linear } => inverse.DividedBy(scaling.Factor),
            _ => Llama3(inverse, scaling),
        };
        return new RotaryEmbedding(inverse.data<float>().ToArray());
    }

    /// <summary><c>_compute_llama3_parameters</c>: long wavelengths are slowed by the factor, short ones kept, the band between blended.</summary>
    private static Tensor Llama3(Tensor inverse, RopeScaling scaling)
    {
        var lowFrequencyWavelength = scaling.OriginalMaxPositions / scaling.LowFrequencyFactor;
        var highFrequencyWavelength = scaling.OriginalMaxPositions / scaling.HighFrequencyFactor;

        var wavelength = inverse.Dividing(2 * Math.PI);
        var scaled = where(wavelength.IsAbove(lowFrequencyWavelength), inverse.DividedBy(scaling.Factor), inverse);
        var smooth = wavelength.Dividing(scaling.OriginalMaxPositions).Minus(scaling.LowFrequencyFactor)
                     .DividedBy(scaling.HighFrequencyFactor - scaling.LowFrequencyFactor);
        var smoothed = (smooth.SubtractedFrom(1) * scaled).DividedBy(scaling.Factor).Plus(smooth * scaled);
        var isMedium = wavelength.IsAtLeast(highFrequencyWavelength).logical_and(wavelength.IsAtMost(lowFrequencyWavelength));
        return where(isMedium, smoothed, scaled);
    }

    /// <summary>
    /// <c>_compute_longrope_parameters</c> (Phi-3): inv_freq_i = 1 / (factor_i * theta^(2i/d)) with the short factors for a
    /// sequence of at most original_max_position_embeddings positions and the long factors beyond, as HF's
    /// <c>longrope_frequency_update</c> switches on max(position_ids) + 1; cos and sin are both multiplied by the attention
    /// factor (the same for both sets).
    /// </summary>
    private static RotaryEmbedding LongRope(int dimensions, double theta, RopeScaling scaling)
    {
        float[] Frequencies(IReadOnlyList<double> factors)
        {
            using var scope = NewDisposeScope();
            var exponents = Arithmetic.Range(0, dimensions, 2, ScalarType.Int64, CPU).to(ScalarType.Float32).DividedBy(dimensions);
            var extension = tensor(factors.Select(f => (float)f).ToArray(), ScalarType.Float32, CPU);
            return (extension * pow(tensor(theta, ScalarType.Float32, CPU), exponents)).Dividing(1.0).data<float>().ToArray();
        }

        return new RotaryEmbedding(
            Frequencies(scaling.ShortFactor!), Frequencies(scaling.LongFactor!), (int)scaling.OriginalMaxPositions,
            (float)scaling.AttentionFactor);
    }

    /// <summary>cos and sin of the angles for positions 0..T-1, each (T, Dimensions), in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Angles(long positions, Device device, ScalarType dtype)
    {
        var chosen = _longInverseFrequencies is not null && positions > _longFrom ? _longInverseFrequencies : _inverseFrequencies;
        var inverse = tensor(chosen, ScalarType.Float32, device);                                   // (d/2)
        var frequencies = outer(Arithmetic.Range(positions, ScalarType.Float32, device), inverse);  // (T, d/2)
        var angles = cat([frequencies, frequencies], -1);                                           // (T, d)
        if (_attentionScaling == 1.0f)
            return (angles.cos().to(dtype), angles.sin().to(dtype));
        // HF scales cos and sin in float32, before the cast.
        return (angles.cos().Times(_attentionScaling).to(dtype), angles.sin().Times(_attentionScaling).to(dtype));
    }

    /// <summary>x * cos + rotate_half(x) * sin for x of shape (B, heads, T, Dimensions).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin) => (x * cos).Plus(RotateHalf(x) * sin);

    /// <summary>Rotates half the hidden dims: (x1, x2) to (-x2, x1).</summary>
    private static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return cat([-x2, x1], -1);
    }
}

public enum RopeScalingType
{
    Linear,
    Llama3,
    LongRope,
}

/// <summary>
/// A config's <c>rope_scaling</c> (HF <c>modeling_rope_utils.py</c>): <c>linear</c> divides positions by
/// <see cref="Factor"/>; <c>llama3</c> rescales only the long wavelengths, with HF's defaults for its fields;
/// <c>longrope</c> (built by the architectures that use it, such as Phi-3) divides each frequency by its short or long
/// factor and scales cos and sin by <see cref="AttentionFactor"/>.
/// </summary>
public sealed record RopeScaling(
    RopeScalingType Type,
    double Factor,
    double LowFrequencyFactor = 1.0,
    double HighFrequencyFactor = 4.0,
    double OriginalMaxPositions = 8192.0,
    IReadOnlyList<double>? ShortFactor = null,
    IReadOnlyList<double>? LongFactor = null,
    double AttentionFactor = 1.0)
{
    /// <summary>Reads <c>rope_scaling</c>; absent, null or of type <c>default</c> means no scaling.</summary>
    internal static RopeScaling? Read(ConfigReader config)
    {
        var node = config.Object("rope_scaling");
        if (node is null)
            return null;
        var scaling = new ConfigReader(node, "rope_scaling");
        // Newer configs name the type "rope_type", older ones "type".
        var type = scaling.String("rope_type", scaling.String("type", "default"));
        var factor = scaling.Double("factor", 1.0);
        if (factor <= 0)
            throw config.Invalid($"rope_scaling factor {factor} must be positive.");
        return type switch
        {
            "default" => null,
            "linear" => new RopeScaling(RopeScalingType.Linear, factor),
            "llama3" => new RopeScaling(
                RopeScalingType.Llama3,
                factor,
                scaling.Double("low_freq_factor", 1.0),
                scaling.Double("high_freq_factor", 4.0),
                scaling.Double("original_max_position_embeddings", 8192.0)),
            _ => throw config.Invalid($"rope_scaling of type '{type}' is not supported; supported: default, linear, llama3."),
        };
    }
}
