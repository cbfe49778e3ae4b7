namespace LogLikeMap.Core.Analysis;

/// <summary>One split: the rows a model is trained on and the rows it is tested on, both ascending.</summary>
public sealed record Fold(int[] Train, int[] Test);

/// <summary>
/// scikit-learn's splitters as the paper's prediction code uses them (docs/method.md §3.1), fold for fold:
/// unshuffled <c>KFold(k)</c> (RidgeCV's inner cv=5), <c>KFold(k, shuffle=True, random_state=seed)</c> and
/// <c>GroupKFold(k, shuffle=True, random_state=seed)</c> (scikit-learn >= 1.6; sklearn/model_selection/_split.py).
/// </summary>
public static class CrossValidation
{
    /// <summary>
    /// <c>KFold(folds)</c> without shuffling: consecutive blocks, the first n mod k of them one row longer
    /// (<c>_BaseKFold</c>: <c>fold_sizes[:n % k] += 1</c>).
    /// </summary>
    public static IReadOnlyList<Fold> KFold(int rowCount, int folds) =>
        BlocksOf(Enumerable.Range(0, rowCount).ToArray(), folds);

    /// <summary>
    /// <c>KFold(folds, shuffle=True, random_state=seed)</c>: the rows permuted by <c>RandomState(seed).shuffle</c>,
    /// then cut into the same consecutive blocks.
    /// </summary>
    public static IReadOnlyList<Fold> KFold(int rowCount, int folds, uint seed)
    {
        var order = Enumerable.Range(0, rowCount).ToArray();
        new NumpyRandomState(seed).Shuffle<int>(order);
        return BlocksOf(order, folds);
    }

    /// <summary>
    /// <c>GroupKFold(folds, shuffle=True, random_state=seed)</c> (scikit-learn 1.6): the distinct groups sorted
    /// (<c>np.unique</c>, code-point order), permuted by <c>RandomState(seed).permutation</c>, split by
    /// <c>np.array_split</c> into k parts (the first (groups mod k) parts one group longer); fold f tests every row whose
    /// group is in part f. Whole families are held out; folds have equal numbers of groups, not of rows.
    /// </summary>
    public static IReadOnlyList<Fold> GroupKFold(IReadOnlyList<string> groups, int folds, uint seed)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var unique = groups.Distinct(StringComparer.Ordinal).Order(CodePointComparer.Instance).ToArray();
        if (folds < 2)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "Cross-validation needs at least 2 folds.");
        if (folds > unique.Length)
            throw new ArgumentException(
                $"{folds} folds need at least {folds} groups, but the models with scores fall into {unique.Length} " +
                $"({string.Join(", ", unique)}); use fewer folds or plain KFold (no group column).", nameof(groups));
        new NumpyRandomState(seed).Shuffle<string>(unique);

        var foldOfGroup = new Dictionary<string, int>(StringComparer.Ordinal);
        var start = 0;
        for (var f = 0; f < folds; f++)
        {
            var size = unique.Length / folds + (f < unique.Length % folds ? 1 : 0);
            for (var g = start; g < start + size; g++)
                foldOfGroup[unique[g]] = f;
            start += size;
        }

        return [.. Enumerable.Range(0, folds).Select(f => Split(groups.Count, i => foldOfGroup[groups[i]] == f))];
    }

    private static List<Fold> BlocksOf(int[] order, int folds)
    {
        if (folds < 2)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "Cross-validation needs at least 2 folds.");
        if (folds > order.Length)
            throw new ArgumentException($"{folds} folds need at least {folds} rows, got {order.Length}.", nameof(folds));
        var result = new List<Fold>(folds);
        var start = 0;
        for (var f = 0; f < folds; f++)
        {
            var size = order.Length / folds + (f < order.Length % folds ? 1 : 0);
            var test = new HashSet<int>(order.AsSpan(start, size).ToArray());
            result.Add(Split(order.Length, test.Contains));
            start += size;
        }
        return result;
    }

    private static Fold Split(int rowCount, Func<int, bool> isTest)
    {
        var train = new List<int>(rowCount);
        var test = new List<int>();
        for (var i = 0; i < rowCount; i++)
            (isTest(i) ? test : train).Add(i);
        return new Fold([.. train], [.. test]);
    }

    /// <summary>numpy orders unicode strings by code point; UTF-16 ordinal order differs only around surrogates.</summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
                return x is null ? (y is null ? 0 : -1) : 1;
            var a = x.EnumerateRunes();
            var b = y.EnumerateRunes();
            while (true)
            {
                var moreA = a.MoveNext();
                var moreB = b.MoveNext();
                if (!moreA || !moreB)
                    return moreA.CompareTo(moreB);
                var order = a.Current.Value.CompareTo(b.Current.Value);
                if (order != 0)
                    return order;
            }
        }
    }
}
