namespace LogLikeMap.Lab.Zoo;

/// <summary>How a zoo model's weights are computed from other saved zoo models instead of being trained.</summary>
public abstract record ZooDerivation
{
    /// <summary>The zoo models whose weights this derivation reads; the recipe lists them earlier.</summary>
    public abstract IReadOnlyList<string> Sources { get; }
}

/// <summary>
/// A weighted sum of models of one architecture and shape, tensor by tensor: the mean of two fine-tunes (weights
/// 1/2, 1/2) or a point of the paper's interpolation grid W = (1 - a - b) W0 + a W1 + b W2 (docs/method.md §3.6).
/// </summary>
public sealed record WeightMix(IReadOnlyList<WeightTerm> Terms) : ZooDerivation
{
    public override IReadOnlyList<string> Sources => [.. Terms.Select(t => t.Model)];
}

/// <summary>One term of a <see cref="WeightMix"/>.</summary>
public sealed record WeightTerm(string Model, double Weight);

/// <summary>
/// A fine-tune's change to its base kept to <paramref name="Rank"/> per weight matrix (truncated SVD of
/// W_fine-tune - W_base) and merged into the base, with the base's vectors (norms, biases) unchanged: the change a
/// rank-r LoRA on every matrix can hold, merged into the weights as LoRA checkpoints are shipped.
/// </summary>
public sealed record LowRankDelta(string Base, string FineTune, int Rank) : ZooDerivation
{
    public override IReadOnlyList<string> Sources => [Base, FineTune];
}

/// <summary>Number formats a model's weights are rounded through and back to float32.</summary>
public enum RoundTripFormat
{
    Float16,
    BFloat16,
    /// <summary>Symmetric 8-bit integers with one scale (largest magnitude / 127) per stored row of each matrix; vectors stay float.</summary>
    Int8,
}

/// <summary>A model's weights rounded through another number format and back, saved as float32.</summary>
public sealed record RoundTrip(string Model, RoundTripFormat Format) : ZooDerivation
{
    public override IReadOnlyList<string> Sources => [Model];
}
