using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Tests.TextSets;

/// <summary>
/// Expected values printed by CPython 3.11.2 (/usr/bin/python3):
/// <code>
/// import random
/// random.seed(42); print(random.sample(range(1000), 10))        # set-based branch (n > setsize)
/// random.seed(42); print(random.sample(range(50), 10))          # pool branch (n &lt;= setsize)
/// random.seed(42); s = random.sample(range(5703791), 40000); print(s[:5], s[-1], sum(s), sum(s[:10000]))
/// random.seed(42); print([random.getrandbits(k) for k in (1, 31, 32, 33, 40, 64)])
/// random.seed(2**40+5); print(random.sample(range(100), 5))
/// random.seed(-42); print(random.sample(range(1000), 3))
/// random.seed(0); print(random.sample(range(1000), 3))
/// </code>
/// </summary>
public class PythonRandomTests
{
    private static IReadOnlyList<int> Range(int n) => [.. Enumerable.Range(0, n)];

    [Fact]
    public void SampleMatchesPythonInTheSetBranch() =>
        Assert.Equal([654, 114, 25, 759, 281, 250, 228, 142, 754, 104], new PythonRandom(42).Sample(Range(1000), 10));

    [Fact]
    public void SampleMatchesPythonInThePoolBranch() =>
        Assert.Equal([40, 7, 1, 17, 15, 14, 8, 6, 34, 5], new PythonRandom(42).Sample(Range(50), 10));

    [Fact]
    public void ThePapersSelectionSizeMatchesPython()
    {
        // The paper: random.seed(42); random.sample(chunked, 40_000)[:10_000] over 5,703,791 chunks.
        var sample = new PythonRandom(42).Sample(Range(5_703_791), 40_000);

        Assert.Equal([5363900, 933912, 209805, 2307113, 2054301], sample.Take(5));
        Assert.Equal(1319880, sample[^1]);
        Assert.Equal(113992545054L, sample.Sum(i => (long)i));
        Assert.Equal(28914565690L, sample.Take(10_000).Sum(i => (long)i));
    }

    [Fact]
    public void GetRandBitsMatchesPythonAcrossWordBoundaries()
    {
        var random = new PythonRandom(42);
        Assert.Equal([1UL, 239081663, 107420369, 3184935163, 245864938384, 13585496030504862185],
            new[] { 1, 31, 32, 33, 40, 64 }.Select(random.GetRandBits));
    }

    [Fact]
    public void SeedsBeyond32BitsNegativeAndZeroMatchPython()
    {
        Assert.Equal([64, 66, 34, 84, 3], new PythonRandom((1L << 40) + 5).Sample(Range(100), 5));
        Assert.Equal([654, 114, 25], new PythonRandom(-42).Sample(Range(1000), 3));
        Assert.Equal([864, 394, 776], new PythonRandom(0).Sample(Range(1000), 3));
    }

    [Fact]
    public void RefusesASampleLargerThanThePopulation() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PythonRandom(1).Sample(Range(3), 4));
}
