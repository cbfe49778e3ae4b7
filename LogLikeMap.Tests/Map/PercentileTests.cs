using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

public class PercentileTests
{
    // Expected values from numpy 1.24.2 (Debian python3-numpy):
    //   /usr/bin/python3 -c "import numpy as np; a=np.array([-3.5,-1.0,-20.25,-7.0,-2.0,-0.5,-11.0,-4.75,-9.5,-6.0]);
    //   print([repr(np.percentile(a,p)) for p in [0,2,25,50,97.5,100]])"
    // The 2nd percentile by hand: index (10 - 1) x 0.02 = 0.18 between -20.25 and -11: -20.25 + 0.18 x 9.25 = -18.585.
    [Theory]
    [InlineData(0, -20.25)]
    [InlineData(2, -18.585)]
    [InlineData(25, -8.875)]
    [InlineData(50, -5.375)]
    [InlineData(97.5, -0.6124999999999998)]
    [InlineData(100, -0.5)]
    public void MatchesNumpyLinearInterpolation(double percent, double numpy)
    {
        double[] values = [-3.5, -1.0, -20.25, -7.0, -2.0, -0.5, -11.0, -4.75, -9.5, -6.0];
        Assert.Equal(numpy, Percentile.Of(values, percent));
    }

    // /usr/bin/python3 -c "import numpy as np; b=np.arange(1,1001,dtype=float)[::-1]*-1.5;
    //   print(repr(np.percentile(b,2)), repr(np.percentile(b,33.3)))"  ->  -1470.03 -1000.9995
    [Theory]
    [InlineData(2, -1470.03)]
    [InlineData(33.3, -1000.9995)]
    public void MatchesNumpyOnALongDescendingRun(double percent, double numpy)
    {
        var values = Enumerable.Range(1, 1000).Reverse().Select(v => v * -1.5).ToArray();
        Assert.Equal(numpy, Percentile.Of(values, percent), 1e-9);
    }

    [Fact]
    public void LeavesTheInputUnchanged()
    {
        double[] values = [3, 1, 2];
        Percentile.Of(values, 50);
        Assert.Equal([3.0, 1, 2], values);
    }

    [Fact]
    public void RefusesAPercentOutsideZeroToHundred() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentile.Of([1.0], 101));
}
