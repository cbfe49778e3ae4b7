namespace LogLikeMap.Core.Map;

/// <summary>Settings of a model map; every default is the paper's (docs/method.md §1.3, §2).</summary>
public sealed record MapOptions
{
    /// <summary>Log-likelihoods below this global percentile of L are raised to it (paper: 2).</summary>
    public double ClipPercentile { get; init; } = 2;

    /// <summary>How many nearest neighbours (in the full space) each model's list holds.</summary>
    public int NeighbourCount { get; init; } = 10;

    /// <summary>How many principal components of Q to keep (at least 2: t-SNE starts from the first two).</summary>
    public int PrincipalComponents { get; init; } = 10;

    public TsneOptions Tsne { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range (checked when the web app starts).</summary>
    public void Validate()
    {
        if (!(ClipPercentile >= 0 && ClipPercentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(ClipPercentile), ClipPercentile, "The clip percentile must lie between 0 and 100.");
        ArgumentOutOfRangeException.ThrowIfLessThan(NeighbourCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PrincipalComponents, 2);
        ArgumentNullException.ThrowIfNull(Tsne);
        Tsne.Validate();
    }

    internal void Validate(LogLikelihoodMatrix matrix)
    {
        Validate();
        if (matrix.ModelCount < 3)
            throw new ArgumentException($"A map needs at least 3 models; the matrix has {matrix.ModelCount}.", nameof(matrix));
    }
}

/// <summary>The stages of building a map, in order.</summary>
public enum MapStage
{
    ClipAndCentre,
    Distances,
    Neighbours,
    PrincipalComponents,
    Affinities,
    Layout,
}

/// <summary>
/// Progress of <see cref="ModelMapBuilder.Build"/>: the stage that is running; during <see cref="MapStage.Layout"/>
/// also the t-SNE iteration and KL divergence (reported every 50 iterations).
/// </summary>
public readonly record struct MapProgress(MapStage Stage, int Iteration = 0, int Iterations = 0, double? KlDivergence = null);
