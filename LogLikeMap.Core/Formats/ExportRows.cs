using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Formats;

/// <summary>One model's position on a map; provisional until the next full re-layout.</summary>
public sealed record LayoutPoint(string Model, double X, double Y, bool Provisional);

/// <summary>A model's nearest neighbours in the full space, nearest first: one model's rows of a neighbours export.</summary>
public sealed record ModelNeighbours(string Model, IReadOnlyList<Neighbour> Neighbours);
