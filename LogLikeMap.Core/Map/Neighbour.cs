using System.Text.Json.Serialization;
using LogLikeMap.Core.Analysis;

namespace LogLikeMap.Core.Map;

/// <summary>
/// One of a model's nearest neighbours in the full N-dimensional space of Q, never in the 2-D layout (docs/method.md
/// §1.5), with the paper's KL estimate; rank 1 is the closest. The map engine, the web app's panel and API, and every
/// neighbours export use this one type; what only some callers know (bits per byte, family, interval) is added with
/// <c>with</c>.
/// </summary>
/// <param name="Model">The neighbour's row in the map that found it; rows change as models come and go, so it is not published.</param>
/// <param name="Rank">1 for the nearest.</param>
/// <param name="KlNats">KL(p_i, p_j) ≈ |q_i - q_j|^2 / (2N), nats per text.</param>
/// <param name="KlBitsPerByte">The same divided by (mean UTF-8 bytes per text x ln 2), where the texts' bytes are known.</param>
/// <param name="Family">The neighbour's family, where its card is known.</param>
/// <param name="KlInterval">The KL's 95% bootstrap interval over the texts, nats per text, where computed.</param>
public sealed record Neighbour(
    [property: JsonIgnore] int Model, int Rank, string Name, double KlNats,
    double? KlBitsPerByte = null, string? Family = null, KlInterval? KlInterval = null)
{
    /// <summary>Ranks the nearest models, given nearest first, and estimates each one's KL over <paramref name="textCount"/> texts.</summary>
    public static Neighbour[] Ranked(IEnumerable<ModelDistance> nearest, Func<int, string> nameOf, int textCount)
    {
        ArgumentNullException.ThrowIfNull(nearest);
        ArgumentNullException.ThrowIfNull(nameOf);
        return [.. nearest.Select((d, r) => new Neighbour(d.Model, r + 1, nameOf(d.Model), KlEstimate.NatsPerText(d.SquaredDistance, textCount)))];
    }

    /// <summary>This neighbour with its KL also in bits per byte, for texts of <paramref name="meanTextBytes"/> UTF-8 bytes on average.</summary>
    public Neighbour WithBitsPerByte(double meanTextBytes) => this with { KlBitsPerByte = KlEstimate.BitsPerByte(KlNats, meanTextBytes) };
}
