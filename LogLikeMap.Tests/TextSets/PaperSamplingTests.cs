using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Tests.TextSets;

public class PaperSamplingTests
{
    [Fact]
    public void SelectIsThePapersSampleThenTheFirst10000()
    {
        // CPython 3.11: random.seed(42); s = random.sample(range(5703791), 40000); s[:5], sum(s[:10000])
        var selected = PaperSampling.Select(Enumerable.Range(0, 5_703_791).ToArray());

        Assert.Equal(10_000, selected.Count);
        Assert.Equal([5363900, 933912, 209805, 2307113, 2054301], selected.Take(5));
        Assert.Equal(28914565690L, selected.Sum(i => (long)i));
    }

    [Fact]
    public void CandidatesNumberDocumentsAndTheirKeptChunks()
    {
        // Document 0: 1024 + 300 bytes, two chunks kept. Document 1: 200 bytes, dropped. Document 2: 1024 + 100, one kept.
        var candidates = PaperSampling.Candidates([new string('a', 1324), new string('b', 200), new string('c', 1124)]);

        Assert.Equal([(0, 0, 1024), (0, 1, 300), (2, 0, 1024)], candidates.Select(c => (c.Document, c.Chunk, c.Text.Length)));
    }
}
