using System.Text.Json;
using LogLikeMap.Core.Analysis;

namespace LogLikeMap.Tests.Analysis;

/// <summary>numpy's RandomState and scikit-learn's splitters, against their own output (permutations.json).</summary>
public sealed class CrossValidationTests
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(SklearnReference.File("permutations.json"))).RootElement;

    [Fact]
    public void PermutationIsNumpysForEverySeedAndLength()
    {
        var cases = Reference.GetProperty("permutation").EnumerateArray().ToList();
        Assert.Equal(42, cases.Count);
        foreach (var c in cases)
        {
            var seed = c.GetProperty("seed").GetUInt32();
            var expected = c.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            Assert.Equal(expected, new NumpyRandomState(seed).Permutation(c.GetProperty("n").GetInt32()));
        }
    }

    [Fact]
    public void ShuffledKFoldTestsTheRowsScikitLearnTests()
    {
        foreach (var c in Reference.GetProperty("kfold").EnumerateArray())
        {
            var folds = CrossValidation.KFold(c.GetProperty("n").GetInt32(), 5, c.GetProperty("seed").GetUInt32());
            var expected = c.GetProperty("folds").EnumerateArray().Select(f => f.EnumerateArray().Select(v => v.GetInt32()).Order().ToArray()).ToList();
            Assert.Equal(expected, folds.Select(f => f.Test).ToList());
            foreach (var fold in folds)
                Assert.Equal(Enumerable.Range(0, c.GetProperty("n").GetInt32()).Except(fold.Test), fold.Train);
        }
    }

    [Fact]
    public void ShuffledGroupKFoldHoldsOutTheFamiliesScikitLearn16HoldsOut()
    {
        foreach (var c in Reference.GetProperty("groupkfold").EnumerateArray())
        {
            var groups = c.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray();
            var folds = CrossValidation.GroupKFold(groups, 5, c.GetProperty("seed").GetUInt32());
            var expected = c.GetProperty("folds").EnumerateArray().Select(f => f.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();
            Assert.Equal(expected, folds.Select(f => f.Test).ToList());
        }
    }

    [Fact]
    public void UnshuffledKFoldGivesTheFirstBlocksTheExtraRows()
    {
        // KFold(3) of 8 rows: sizes 3, 3, 2, consecutive (n mod k = 2 blocks one longer).
        var folds = CrossValidation.KFold(8, 3);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7]], folds.Select(f => f.Test).ToArray());
    }

    [Fact]
    public void FewerGroupsThanFoldsIsRefusedNamingTheGroups()
    {
        var error = Assert.Throws<ArgumentException>(() => CrossValidation.GroupKFold(["a", "b", "a", "c"], 5, 0));
        Assert.Contains("a, b, c", error.Message, StringComparison.Ordinal);
    }
}
