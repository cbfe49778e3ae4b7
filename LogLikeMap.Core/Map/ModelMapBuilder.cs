using System.Diagnostics;

namespace LogLikeMap.Core.Map;

/// <summary>
/// Builds a <see cref="ModelMap"/> from a log-likelihood matrix, the paper's pipeline end to end
/// (docs/method.md §1.3-§2): clip at the global percentile, double centre, all nearest-neighbour lists in the
/// full space, PCA, t-SNE affinities, t-SNE layout.
/// </summary>
public static class ModelMapBuilder
{
    /// <summary>
    /// Builds the map. CPU-bound and parallel; call it from a background thread in a server.
    /// Cancelling throws <see cref="OperationCanceledException"/> (no partial map).
    /// </summary>
    public static ModelMap Build(
        LogLikelihoodMatrix matrix,
        MapOptions options,
        IProgress<MapProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(matrix);
        var timings = new Dictionary<MapStage, TimeSpan>();
        var k = matrix.ModelCount;

        T Stage<T>(MapStage stage, Func<T> run)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new MapProgress(stage));
            var clock = Stopwatch.StartNew();
            var result = run();
            timings[stage] = clock.Elapsed;
            return result;
        }

        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        var coordinates = Stage(MapStage.ClipAndCentre, () => CentredLogLikelihoods.FromMatrix(matrix, options.ClipPercentile));
        var distances = Stage(MapStage.Distances, () => SquaredDistances.Build(coordinates, cancellationToken));
        var neighbours = Stage(MapStage.Neighbours, () =>
        {
            var lists = new Neighbour[k][];
            Parallel.For(0, k, parallel, i => lists[i] = Neighbour.Ranked(
                distances.Nearest(i, options.NeighbourCount), j => matrix.ModelNames[j], matrix.TextCount));
            return lists;
        });
        var pca = Stage(MapStage.PrincipalComponents, () =>
            PrincipalComponents.FromGram(distances.Gram, k, Math.Min(options.PrincipalComponents, k)));
        var affinities = Stage(MapStage.Affinities, () =>
        {
            var perplexity = options.Tsne.PerplexityFor(k);
            var count = TsneAffinities.NeighbourCount(k, perplexity);
            var nearest = new ModelDistance[k][];
            Parallel.For(0, k, parallel, i => nearest[i] = distances.NearestApproximately(i, count));
            return TsneAffinities.FromNeighbours(nearest, perplexity);
        });
        var tsneProgress = progress is null ? null : new LayoutProgress(progress);
        var layout = Stage(MapStage.Layout, () =>
            Tsne.Optimise(affinities, Tsne.InitialLayout(pca, k, options.Tsne), options.Tsne, tsneProgress, cancellationToken));

        return new ModelMap(matrix.ModelNames, options, coordinates, distances, pca, layout, neighbours, timings);
    }

    /// <summary>Forwards t-SNE progress synchronously (Progress&lt;T&gt; would post it later, possibly out of order).</summary>
    private sealed class LayoutProgress(IProgress<MapProgress> target) : IProgress<TsneProgress>
    {
        public void Report(TsneProgress value) =>
            target.Report(new MapProgress(MapStage.Layout, value.Iteration, value.Iterations, value.KlDivergence));
    }
}
