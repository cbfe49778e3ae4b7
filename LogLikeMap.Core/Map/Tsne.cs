using System.Runtime.Intrinsics;

namespace LogLikeMap.Core.Map;

/// <summary>
/// t-SNE in stages, as openTSNE lays it out: affinities (<see cref="TsneAffinities"/>) -> initial layout
/// (<see cref="InitialLayout"/>) -> <see cref="Optimise"/> -> <see cref="PlaceNewPoint"/> for a point added later.
/// The optimiser is sklearn 1.2's <c>_gradient_descent</c> step for step (gains, momentum 0.5 then 0.8, early
/// exaggeration, stopping rules), with the Student-t kernel of one degree of freedom.
/// Results are deterministic: parallel loops write per-point results and every sum runs in point order.
/// </summary>
public static class Tsne
{
    // sklearn: the gradient-descent checks (KL error, stopping rules) run every 50 iterations.
    private const int CheckEvery = 50;
    private const double MinGain = 0.01;

    // Pair terms per iteration from which the gradient is spread over threads.
    private const double ParallelWork = 250_000;

    // sklearn: PCA initialisation is rescaled so the first coordinate has standard deviation 1e-4.
    private const double InitialStandardDeviation = 1e-4;

    /// <summary>
    /// Starting layout: the first two principal components scaled so the first has standard deviation 1e-4
    /// (sklearn 1.2 <c>init='pca'</c>), or seeded Gaussian noise of that scale (<c>init='random'</c>).
    /// </summary>
    public static MapPoint[] InitialLayout(PrincipalComponents? pca, int pointCount, TsneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var layout = new MapPoint[pointCount];
        if (options.Initialisation == TsneInitialisation.Random)
        {
            var random = new Random(options.Seed);
            for (var i = 0; i < pointCount; i++)
                layout[i] = new MapPoint(Gaussian(random) * InitialStandardDeviation, Gaussian(random) * InitialStandardDeviation);
            return layout;
        }

        if (pca is null || pca.ComponentCount < 2 || pca.ModelCount != pointCount)
            throw new ArgumentException("PCA initialisation needs the first two principal components of every point.", nameof(pca));
        double mean = 0, squares = 0;
        for (var i = 0; i < pointCount; i++)
            mean += pca.Score(i, 0);
        mean /= pointCount;
        for (var i = 0; i < pointCount; i++)
            squares += (pca.Score(i, 0) - mean) * (pca.Score(i, 0) - mean);
        var std = Math.Sqrt(squares / pointCount);
        var scale = std > 0 ? InitialStandardDeviation / std : 1;
        for (var i = 0; i < pointCount; i++)
            layout[i] = new MapPoint(pca.Score(i, 0) * scale, pca.Score(i, 1) * scale);
        return layout;
    }

    /// <summary>
    /// Runs gradient descent from <paramref name="initial"/> and returns the final layout.
    /// Progress (iteration, KL divergence of the current P and Q) is reported every 50 iterations.
    /// Cancelling throws <see cref="OperationCanceledException"/>; no partial layout is returned.
    /// </summary>
    public static MapPoint[] Optimise(
        TsneAffinities affinities,
        IReadOnlyList<MapPoint> initial,
        TsneOptions options,
        IProgress<TsneProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(affinities);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(options);
        var k = affinities.PointCount;
        if (initial.Count != k)
            throw new ArgumentException($"The initial layout has {initial.Count} points; the affinities have {k}.", nameof(initial));
        options.Validate(k);

        var state = new GradientState(affinities, initial, options);
        var exaggerated = Math.Min(options.ExaggerationIterations, options.Iterations);
        // sklearn runs two separate descents; update and gains restart between them.
        var next = state.Descend(0, exaggerated, options.EarlyExaggeration, options.InitialMomentum, progress, cancellationToken);
        if (options.Iterations > exaggerated)
            state.Descend(next, options.Iterations, 1, options.FinalMomentum, progress, cancellationToken);
        return state.Layout();
    }

    /// <summary>
    /// Places one new point against a fixed embedding (openTSNE <c>transform</c> of a single point):
    /// p_{j|new} over its nearest existing points by perplexity calibration, start at the affinity-weighted mean
    /// of their positions, then minimise KL(p_{.|new} || q_{.|new}) over the new point's two coordinates only,
    /// with q_{j|new} = w_j / sum_l w_l over all existing points. Existing points never move. A new point whose q equals
    /// an existing point's (a copy of its vector) goes where that point is: t-SNE gives identical inputs one place.
    /// </summary>
    public static MapPoint PlaceNewPoint(
        IReadOnlyList<MapPoint> layout, IReadOnlyList<ModelDistance> nearest, double perplexity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(nearest);
        if (nearest.Count == 0)
            throw new ArgumentException("A new point needs at least one existing neighbour.", nameof(nearest));
        if (nearest[0].SquaredDistance <= 1e-12 * nearest[^1].SquaredDistance)
            return layout[nearest[0].Model];
        var p = TsneAffinities.ConditionalRow(nearest, Math.Min(perplexity, Math.Max(1, nearest.Count - 1)));
        double x = 0, y = 0;
        for (var m = 0; m < nearest.Count; m++)
        {
            x += p[m] * layout[nearest[m].Model].X;
            y += p[m] * layout[nearest[m].Model].Y;
        }

        var placement = new SinglePointObjective(layout, nearest, p);
        var (cost, gx, gy) = placement.Evaluate(x, y);
        var step = 1.0;
        // Gradient descent with an adaptive step: grow it after a success, halve it and retry after a failure.
        for (var iteration = 0; iteration < 500 && step > 1e-12; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (candidateCost, cgx, cgy) = placement.Evaluate(x - step * gx, y - step * gy);
            if (candidateCost < cost)
            {
                x -= step * gx;
                y -= step * gy;
                (cost, gx, gy) = (candidateCost, cgx, cgy);
                step *= 1.5;
            }
            else
                step /= 2;
        }

        return new MapPoint(x, y);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Cost and gradient of one new point's placement; the other points are constants.</summary>
    private sealed class SinglePointObjective(IReadOnlyList<MapPoint> layout, IReadOnlyList<ModelDistance> nearest, double[] p)
    {
        /// <summary>
        /// C(y) = sum_j p_j ln(p_j / q_j), q_j = w_j / Z, w_j = 1 / (1 + |y - y_j|^2);
        /// dC/dy = 2 sum_j (p_j - q_j) w_j (y - y_j) (the sum over q runs over all existing points).
        /// </summary>
        public (double Cost, double GradientX, double GradientY) Evaluate(double x, double y)
        {
            double z = 0, gx = 0, gy = 0;
            for (var j = 0; j < layout.Count; j++)
            {
                double dx = x - layout[j].X, dy = y - layout[j].Y;
                var w = 1 / (1 + dx * dx + dy * dy);
                z += w;
                gx -= w * w * dx;
                gy -= w * w * dy;
            }

            // Repulsive part so far is sum_j w_j^2 (y - y_j) with a minus; divide by Z for the q_j weights.
            gx /= z;
            gy /= z;
            var cost = Math.Log(z);
            for (var m = 0; m < nearest.Count; m++)
            {
                if (p[m] <= 0)
                    continue;
                var other = layout[nearest[m].Model];
                double dx = x - other.X, dy = y - other.Y;
                var w = 1 / (1 + dx * dx + dy * dy);
                gx += p[m] * w * dx;
                gy += p[m] * w * dy;
                cost += p[m] * (Math.Log(p[m]) - Math.Log(w));
            }

            return (cost, 2 * gx, 2 * gy);
        }
    }

    /// <summary>The embedding being optimised and sklearn's per-coordinate update and gains.</summary>
    private sealed class GradientState
    {
        private readonly TsneAffinities _p;
        private readonly TsneOptions _options;
        private readonly bool _barnesHut;
        private readonly double _learningRate;
        private readonly double[] _x;
        private readonly double[] _y;
        private readonly double[] _gradX;
        private readonly double[] _gradY;
        private readonly double[] _sumW;
        private readonly double[] _repulsionX;
        private readonly double[] _repulsionY;
        private readonly double[] _errorTerms;
        private readonly double[] _rowP;
        private readonly float[] _xSingle;
        private readonly float[] _ySingle;

        public GradientState(TsneAffinities p, IReadOnlyList<MapPoint> initial, TsneOptions options)
        {
            _p = p;
            _options = options;
            var k = p.PointCount;
            _barnesHut = options.UsesBarnesHut(k);
            _learningRate = options.LearningRateFor(k);
            _x = initial.Select(point => point.X).ToArray();
            _y = initial.Select(point => point.Y).ToArray();
            _gradX = new double[k];
            _gradY = new double[k];
            _sumW = new double[k];
            _repulsionX = new double[k];
            _repulsionY = new double[k];
            _errorTerms = new double[k];
            _rowP = new double[k];
            _xSingle = new float[k];
            _ySingle = new float[k];
        }

        public MapPoint[] Layout() => _x.Zip(_y, (x, y) => new MapPoint(x, y)).ToArray();

        /// <summary>sklearn <c>_gradient_descent</c> from iteration <paramref name="first"/> up to <paramref name="end"/>; returns the next iteration.</summary>
        public int Descend(int first, int end, double exaggeration, double momentum, IProgress<TsneProgress>? progress, CancellationToken cancellationToken)
        {
            var k = _x.Length;
            var updateX = new double[k];
            var updateY = new double[k];
            var gainX = Enumerable.Repeat(1.0, k).ToArray();
            var gainY = Enumerable.Repeat(1.0, k).ToArray();
            var bestError = double.PositiveInfinity;
            var bestIteration = first;
            var i = first;
            for (; i < end; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var check = (i + 1) % CheckEvery == 0;
                var error = Gradient(exaggeration, check || i == end - 1);
                var gradientNorm2 = 0.0;
                for (var m = 0; m < k; m++)
                {
                    Step(ref _x[m], ref updateX[m], ref gainX[m], _gradX[m], momentum, ref gradientNorm2);
                    Step(ref _y[m], ref updateY[m], ref gainY[m], _gradY[m], momentum, ref gradientNorm2);
                }

                if (!check)
                    continue;
                progress?.Report(new TsneProgress(i + 1, _options.Iterations, error));
                if (error < bestError)
                {
                    bestError = error;
                    bestIteration = i;
                }
                else if (i - bestIteration > _options.IterationsWithoutProgress)
                    break;
                if (Math.Sqrt(gradientNorm2) <= _options.MinGradientNorm)
                    break;
            }

            return i + 1;
        }

        private void Step(ref double position, ref double update, ref double gain, double gradient, double momentum, ref double norm2)
        {
            // Gains grow where the gradient keeps changing sign against the last update, shrink otherwise.
            gain = update * gradient < 0 ? gain + 0.2 : gain * 0.8;
            gain = Math.Max(gain, MinGain);
            var scaled = gradient * gain;
            norm2 += scaled * scaled;
            update = momentum * update - _learningRate * scaled;
            position += update;
        }

        /// <summary>
        /// dC/dy_i = 4 (sum_j a p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z), w = 1 / (1 + d^2),
        /// Z = sum_{k != l} w_kl, a the exaggeration. Returns KL(aP || Q) when asked (as sklearn reports it),
        /// using sum p ln(p / q) = sum p ln p - sum p ln w + ln Z sum p so one parallel pass does everything.
        /// </summary>
        private double Gradient(double exaggeration, bool withError)
        {
            var k = _x.Length;
            QuadTree? tree = null;
            if (_barnesHut)
                tree = new QuadTree(_x, _y);
            else
            {
                for (var i = 0; i < k; i++)
                {
                    _xSingle[i] = (float)_x[i];
                    _ySingle[i] = (float)_y[i];
                }
            }

            void Points(int from, int to, int[] stack)
            {
                for (var i = from; i < to; i++)
                {
                    if (tree is null)
                        ExactRepulsion(i);
                    else
                        (_repulsionX[i], _repulsionY[i], _sumW[i]) = tree.Repulsion(i, _options.Theta, stack);
                    Attraction(i, exaggeration, withError);
                }
            }

            // Below a few hundred thousand pair terms an iteration takes less than waking the thread pool does.
            var work = (double)k * (tree is null ? k : 64);
            if (work < ParallelWork)
                Points(0, k, tree?.NewStack() ?? []);
            else
            {
                var chunk = Math.Max(16, k / (8 * Environment.ProcessorCount));
                Parallel.For(0, (k + chunk - 1) / chunk, () => tree?.NewStack() ?? [], (c, _, stack) =>
                {
                    Points(c * chunk, Math.Min(k, (c + 1) * chunk), stack);
                    return stack;
                }, _ => { });
            }

            double z = 0, pLogTerms = 0, pSum = 0;
            for (var i = 0; i < k; i++)
            {
                z += _sumW[i];
                pLogTerms += _errorTerms[i];
                pSum += _rowP[i];
            }

            for (var i = 0; i < k; i++)
            {
                _gradX[i] = 4 * (_gradX[i] - _repulsionX[i] / z);
                _gradY[i] = 4 * (_gradY[i] - _repulsionY[i] / z);
            }

            return withError ? pLogTerms + Math.Log(z) * pSum : 0;
        }

        /// <summary>Attractive part for point i into the gradient arrays, and its share of the KL terms.</summary>
        private void Attraction(int i, double exaggeration, bool withError)
        {
            double ax = 0, ay = 0, logTerms = 0, rowP = 0;
            for (var e = _p.RowStart[i]; e < _p.RowStart[i + 1]; e++)
            {
                var j = _p.Columns[e];
                double dx = _x[i] - _x[j], dy = _y[i] - _y[j];
                var w = 1 / (1 + dx * dx + dy * dy);
                var pij = exaggeration * _p.Values[e];
                ax += pij * w * dx;
                ay += pij * w * dy;
                if (withError)
                {
                    logTerms += pij * (Math.Log(Math.Max(pij, double.Epsilon)) - Math.Log(w));
                    rowP += pij;
                }
            }

            _gradX[i] = ax;
            _gradY[i] = ay;
            _errorTerms[i] = logTerms;
            _rowP[i] = rowP;
        }

        /// <summary>
        /// Exact repulsion on point i from every other point, eight at a time in single precision (positions are
        /// copied to float each iteration; sklearn's whole optimisation runs in float32). Sums are per point, so
        /// the result does not depend on how threads split the work.
        /// </summary>
        private void ExactRepulsion(int i)
        {
            var k = _x.Length;
            var xi = Vector256.Create(_xSingle[i]);
            var yi = Vector256.Create(_ySingle[i]);
            var one = Vector256.Create(1f);
            Vector256<float> fx = default, fy = default, sum = default;
            var j = 0;
            for (; j + 8 <= k; j += 8)
            {
                var dx = xi - Vector256.Create(_xSingle.AsSpan(j, 8));
                var dy = yi - Vector256.Create(_ySingle.AsSpan(j, 8));
                var w = one / (one + dx * dx + dy * dy);
                sum += w;
                var w2 = w * w;
                fx += w2 * dx;
                fy += w2 * dy;
            }

            double rx = Vector256.Sum(fx), ry = Vector256.Sum(fy), s = Vector256.Sum(sum);
            for (; j < k; j++)
            {
                double dx = _xSingle[i] - _xSingle[j], dy = _ySingle[i] - _ySingle[j];
                var w = 1 / (1 + dx * dx + dy * dy);
                s += w;
                rx += w * w * dx;
                ry += w * w * dy;
            }

            // The loop included j = i, which adds w = 1 and no force.
            _repulsionX[i] = rx;
            _repulsionY[i] = ry;
            _sumW[i] = s - 1;
        }
    }
}
