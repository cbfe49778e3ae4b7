namespace LogLikeMap.Core.Map;

/// <summary>
/// The joint probabilities P of t-SNE over each point's 3 x perplexity nearest neighbours (sklearn
/// <c>_joint_probabilities_nn</c>, openTSNE <c>PerplexityBasedNN</c>), stored as a sparse symmetric matrix
/// (compressed rows). Input distances are squared Euclidean in the full space, used as they are: this is
/// sklearn's <c>metric='sqeuclidean'</c>, which equals its default Euclidean metric that squares internally
/// (docs/method.md §2).
/// </summary>
public sealed class TsneAffinities
{
    // sklearn _utils._binary_search_perplexity: tolerance on the entropy and the step limit.
    private const double EntropyTolerance = 1e-5;
    private const int SearchSteps = 100;

    private TsneAffinities(int pointCount, int[] rowStart, int[] columns, double[] values)
    {
        PointCount = pointCount;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    public int PointCount { get; }

    /// <summary>Row i's entries are <see cref="Columns"/>/<see cref="Values"/>[RowStart[i] .. RowStart[i + 1]).</summary>
    internal int[] RowStart { get; }

    internal int[] Columns { get; }

    /// <summary>p_ij, symmetric, summing to 1 over all i, j.</summary>
    internal double[] Values { get; }

    /// <summary>The number of neighbours whose affinities t-SNE uses: min(K - 1, floor(3 perplexity + 1)), as sklearn.</summary>
    public static int NeighbourCount(int pointCount, double perplexity) => Math.Min(pointCount - 1, (int)(3 * perplexity + 1));

    /// <summary>
    /// P from each point's nearest neighbours (squared distances): conditional p_{j|i} with sigma_i found by
    /// binary search so its perplexity is <paramref name="perplexity"/>, then p_ij = (p_{j|i} + p_{i|j}) / 2K.
    /// </summary>
    public static TsneAffinities FromNeighbours(IReadOnlyList<ModelDistance[]> neighbours, double perplexity)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        var k = neighbours.Count;
        var conditional = new double[k][];
        Parallel.For(0, k, i => conditional[i] = ConditionalRow(neighbours[i], perplexity));

        // Symmetrise: gather both directions per row, then merge duplicates in column order.
        var counts = new int[k];
        for (var i = 0; i < k; i++)
        {
            counts[i] += neighbours[i].Length;
            foreach (var neighbour in neighbours[i])
                counts[neighbour.Model]++;
        }

        var entries = new (int Column, double Value)[k][];
        for (var i = 0; i < k; i++)
            entries[i] = new (int, double)[counts[i]];
        var filled = new int[k];
        for (var i = 0; i < k; i++)
        {
            for (var m = 0; m < neighbours[i].Length; m++)
            {
                var j = neighbours[i][m].Model;
                var p = conditional[i][m];
                entries[i][filled[i]++] = (j, p);
                entries[j][filled[j]++] = (i, p);
            }
        }

        var rowStart = new int[k + 1];
        var columns = new List<int>();
        var values = new List<double>();
        var total = 0.0;
        for (var i = 0; i < k; i++)
        {
            var row = entries[i];
            Array.Sort(row, static (a, b) => a.Column.CompareTo(b.Column));
            for (var m = 0; m < row.Length; m++)
            {
                if (columns.Count > rowStart[i] && columns[^1] == row[m].Column)
                    values[^1] += row[m].Value;
                else
                {
                    columns.Add(row[m].Column);
                    values.Add(row[m].Value);
                }
            }

            rowStart[i + 1] = columns.Count;
        }

        foreach (var value in values)
            total += value;
        var normaliser = Math.Max(total, double.Epsilon);
        var normalised = values.Select(v => v / normaliser).ToArray();
        return new TsneAffinities(k, rowStart, columns.ToArray(), normalised);
    }

    /// <summary>
    /// p_{j|i} over the given neighbours (summing to 1): exp(-beta d_j) normalised, with beta chosen by binary
    /// search so that the entropy equals ln(perplexity), exactly the steps of sklearn's binary search.
    /// Distances are shifted by their minimum first, which changes nothing mathematically but keeps exp from
    /// underflowing when squared distances are in the thousands.
    /// </summary>
    public static double[] ConditionalRow(IReadOnlyList<ModelDistance> neighbours, double perplexity)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        var count = neighbours.Count;
        var p = new double[count];
        if (count == 0)
            return p;
        var nearest = double.PositiveInfinity;
        foreach (var neighbour in neighbours)
            nearest = Math.Min(nearest, neighbour.SquaredDistance);
        var d = neighbours.Select(x => x.SquaredDistance - nearest).ToArray();

        var desiredEntropy = Math.Log(perplexity);
        double beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        for (var step = 0; step < SearchSteps; step++)
        {
            var sum = 0.0;
            for (var j = 0; j < count; j++)
            {
                p[j] = Math.Exp(-d[j] * beta);
                sum += p[j];
            }

            var weightedDistance = 0.0;
            for (var j = 0; j < count; j++)
            {
                p[j] /= sum;
                weightedDistance += d[j] * p[j];
            }

            var entropyExcess = Math.Log(sum) + beta * weightedDistance - desiredEntropy;
            if (Math.Abs(entropyExcess) <= EntropyTolerance)
                break;
            if (entropyExcess > 0)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
            }
        }

        return p;
    }
}
