namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The kinds of change that make a zoo model from its base (models.jsonl's <c>change</c>; the map colours and filters
/// by it). Each is what was done to the weights, fixed in the recipe before any model was scored.
/// </summary>
public static class ZooChange
{
    /// <summary>A base model: trained from scratch, the root of its lineage.</summary>
    public const string Base = "base";

    /// <summary>A checkpoint saved earlier in the base's own training run.</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>Full fine-tune on one text domain.</summary>
    public const string DomainFineTune = "domain fine-tune";

    /// <summary>Full fine-tune on question/answer-formatted text built from the corpus.</summary>
    public const string InstructionFineTune = "instruction fine-tune";

    /// <summary>A fine-tune's weight change kept to low rank per matrix and merged into the base (what a LoRA can hold).</summary>
    public const string LowRankFineTune = "low-rank fine-tune (merged)";

    /// <summary>The mean of two fine-tunes' weights.</summary>
    public const string WeightAverage = "weight average";

    /// <summary>A point of the weight-interpolation grid W = (1 - a - b) W0 + a W1 + b W2.</summary>
    public const string Interpolation = "interpolation grid";

    /// <summary>Weights rounded to float16 and back.</summary>
    public const string Float16 = "float16 round trip";

    /// <summary>Weights rounded to bfloat16 and back.</summary>
    public const string BFloat16 = "bfloat16 round trip";

    /// <summary>Weights quantised to 8 bits per value (one scale per row) and back.</summary>
    public const string Int8 = "8-bit quantisation";

    /// <summary>Fine-tuned on the map's own texts: the leak that the leakage check should find.</summary>
    public const string Leak = "fine-tune on the map texts";
}
