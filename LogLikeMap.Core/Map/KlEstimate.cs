namespace LogLikeMap.Core.Map;

/// <summary>
/// The paper's KL estimate (docs/method.md §1.5): 2 KL(p_i, p_j) ≈ |q_i - q_j|^2 / N, so
/// KL ≈ |q_i - q_j|^2 / (2N) nats per text; divided by (mean bytes per text x ln 2) it is bits per byte
/// (kl-scale <c>metrics.py</c>).
/// </summary>
public static class KlEstimate
{
    /// <summary>KL in nats per text from the squared distance between two rows of Q over N texts.</summary>
    public static double NatsPerText(double squaredDistance, int textCount) => squaredDistance / (2.0 * textCount);

    /// <summary>
    /// KL in bits per byte from KL in nats per text; <paramref name="meanTextBytes"/> is the mean UTF-8 length
    /// of the texts (972.3188 for the paper's 10k Pile texts).
    /// </summary>
    public static double BitsPerByte(double natsPerText, double meanTextBytes)
    {
        if (!(meanTextBytes > 0))
            throw new ArgumentOutOfRangeException(nameof(meanTextBytes), meanTextBytes, "The mean text length in bytes must be positive.");
        return natsPerText / (meanTextBytes * Math.Log(2));
    }
}
