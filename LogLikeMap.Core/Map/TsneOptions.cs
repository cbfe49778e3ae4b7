namespace LogLikeMap.Core.Map;

/// <summary>How t-SNE computes the repulsive part of its gradient.</summary>
public enum TsneGradient
{
    /// <summary>Exact below <see cref="TsneOptions.BarnesHutAbove"/> points, Barnes-Hut above.</summary>
    Automatic,

    /// <summary>All K^2 pairs every iteration: O(K^2), no approximation.</summary>
    Exact,

    /// <summary>Barnes-Hut quadtree with angle <see cref="TsneOptions.Theta"/>: O(K log K) per iteration.</summary>
    BarnesHut,
}

/// <summary>Starting positions of a t-SNE run.</summary>
public enum TsneInitialisation
{
    /// <summary>The first two principal components, scaled so the first has standard deviation 1e-4 (sklearn).</summary>
    Pca,

    /// <summary>Independent N(0, 1e-4^2) coordinates from the seed (sklearn <c>init='random'</c>).</summary>
    Random,
}

/// <summary>
/// t-SNE settings. Defaults are scikit-learn 1.2's <c>TSNE(perplexity=30, init='pca', learning_rate='auto')</c>,
/// the settings of the authors' map (docs/method.md §2), which are also openTSNE's.
/// </summary>
public sealed record TsneOptions
{
    /// <summary>
    /// Effective number of neighbours each point's Gaussian covers; 3 x perplexity neighbours get affinities. A map of
    /// few models uses at most (K - 1) / 3 (<see cref="PerplexityFor"/>).
    /// </summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>
    /// The perplexity used for <paramref name="pointCount"/> points: <see cref="Perplexity"/>, but at most (K - 1) / 3
    /// and at least 1. With 3 x perplexity neighbours per point (sklearn, openTSNE) a larger one spans the whole map,
    /// every model then attracts every other and small families collapse onto one spot; openTSNE lowers it the same way
    /// and scikit-learn asks for perplexity below K. Maps of 91 models or more keep the given value (30: the paper's).
    /// </summary>
    public double PerplexityFor(int pointCount) => Math.Min(Perplexity, Math.Max(1, (pointCount - 1) / 3.0));

    /// <summary>
    /// Perplexity of a model placed onto a finished map (openTSNE <c>transform</c>'s default, 5). Lower than the
    /// layout's on purpose: a single new point cannot pull its family towards it as a point of the full layout does
    /// (P is symmetrised there), so with the layout's 30 (15 on the built-in map) its affinities spread over several
    /// families and the best spot for it is outside all of them, where every other point looks equally far.
    /// </summary>
    public double PlacementPerplexity { get; init; } = 5;

    /// <summary>The placement perplexity for a map of <paramref name="pointCount"/> points, new point included: never above <see cref="PerplexityFor"/>.</summary>
    public double PlacementPerplexityFor(int pointCount) => Math.Min(PlacementPerplexity, PerplexityFor(pointCount));

    /// <summary>Total gradient-descent iterations, early exaggeration included (sklearn <c>n_iter</c>/<c>max_iter</c>).</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> iterations, which lets clusters form.</summary>
    public double EarlyExaggeration { get; init; } = 12;

    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Momentum during early exaggeration.</summary>
    public double InitialMomentum { get; init; } = 0.5;

    /// <summary>Momentum afterwards.</summary>
    public double FinalMomentum { get; init; } = 0.8;

    /// <summary>Step size; null means sklearn's 'auto': max(K / early exaggeration / 4, 50).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Barnes-Hut angle: a cell is summarised when its width / distance is below theta.</summary>
    public double Theta { get; init; } = 0.5;

    public TsneGradient Gradient { get; init; } = TsneGradient.Automatic;

    /// <summary>With <see cref="TsneGradient.Automatic"/>, the point count above which Barnes-Hut is used.</summary>
    public int BarnesHutAbove { get; init; } = 5000;

    /// <summary>Stop when the gradient norm falls below this (sklearn <c>min_grad_norm</c>).</summary>
    public double MinGradientNorm { get; init; } = 1e-7;

    /// <summary>Stop when the KL divergence has not improved for this many iterations (checked every 50).</summary>
    public int IterationsWithoutProgress { get; init; } = 300;

    /// <summary>Where points start: scaled PCA scores (sklearn <c>init='pca'</c>) or seeded Gaussian noise.</summary>
    public TsneInitialisation Initialisation { get; init; } = TsneInitialisation.Pca;

    /// <summary>Seed of the random initialisation; PCA initialisation involves no randomness.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Perplexity > 0))
            throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, "The perplexity must be positive.");
        if (!(PlacementPerplexity > 0))
            throw new ArgumentOutOfRangeException(nameof(PlacementPerplexity), PlacementPerplexity, "The placement perplexity must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(Iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(ExaggerationIterations);
        if (LearningRate is { } rate && !(rate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), rate, "The learning rate must be positive.");
        if (!(Theta >= 0))
            throw new ArgumentOutOfRangeException(nameof(Theta), Theta, "Theta must be zero or positive.");
    }

    internal void Validate(int pointCount)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(pointCount, 2);
    }

    /// <summary>sklearn's 'auto' learning rate (Belkina et al. 2019) unless one is given.</summary>
    internal double LearningRateFor(int pointCount) => LearningRate ?? Math.Max(pointCount / EarlyExaggeration / 4, 50);

    internal bool UsesBarnesHut(int pointCount) =>
        Gradient == TsneGradient.BarnesHut || (Gradient == TsneGradient.Automatic && pointCount > BarnesHutAbove);
}

/// <summary>Progress of a t-SNE run: the iteration just finished and the KL divergence of P and Q at that point.</summary>
public readonly record struct TsneProgress(int Iteration, int Iterations, double KlDivergence);
