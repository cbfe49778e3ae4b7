namespace LogLikeMap.Core.Map;

/// <summary>A model's position on the 2-D map.</summary>
public readonly record struct MapPoint(double X, double Y);
