namespace LogLikeMap.Core.Formats;

/// <summary>One model's position on a map; provisional until the next full re-layout.</summary>
public sealed record LayoutPoint(string Model, double X, double Y, bool Provisional);

/// <summary>One entry of a model's nearest-neighbour list (rank 1 = nearest), KL in the full space.</summary>
/// <param name="KlBitsPerByte">The same KL in bits per byte, when the texts' mean byte length is known.</param>
public sealed record NeighbourRow(string Model, int Rank, string Neighbour, double KlNats, double? KlBitsPerByte);
