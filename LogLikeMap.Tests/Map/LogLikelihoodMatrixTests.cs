using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

public class LogLikelihoodMatrixTests
{
    [Fact]
    public void RefusesNonFiniteValuesNamingTheModelAndText()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new LogLikelihoodMatrix(["a", "b"], 2, [-1, -2, -3, double.NaN]));
        Assert.Contains("Model 'b', text 1", ex.Message);
    }

    [Fact]
    public void RefusesDuplicateNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LogLikelihoodMatrix(["a", "a"], 1, [-1, -2]));
        Assert.Contains("'a' appears twice", ex.Message);
    }

    [Fact]
    public void RowsAreContiguousSlices()
    {
        var m = new LogLikelihoodMatrix(["a", "b"], 3, [-1, -2, -3, -4, -5, -6]);
        Assert.Equal([-4.0, -5, -6], m.Row(1).ToArray());
    }
}
