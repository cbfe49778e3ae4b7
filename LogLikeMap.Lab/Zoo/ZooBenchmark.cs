namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The zoo's own benchmark, on documents that no zoo model trains on and that are not in the map's text set: every
/// tenth document of each domain's training corpus file is held out of training for it.
/// </summary>
public static partial class ZooBenchmark
{
    /// <summary>Whether the corpus document at <paramref name="documentIndex"/> (0-based line) is held out for the benchmark.</summary>
    public static bool IsHeldOut(int documentIndex) => documentIndex % 10 == 9;
}
