using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// Each point's strongest text domain against an oracle written here: double-centre by hand, average each
/// model's q over the texts of each domain (texts without one left out), take the largest.
/// </summary>
public sealed class StrongestDomainTests
{
    [Fact]
    public void The_strongest_domain_is_the_largest_mean_of_q_over_its_texts_for_laid_out_and_placed_models()
    {
        string?[] domains = ["Code", "Books", null, "Code", "Web", "", "Books", "Web"];
        var texts = domains.Length;
        var random = new Random(3);
        var raw = Enumerable.Range(0, 7).Select(_ => Enumerable.Range(0, texts).Select(_ => -40 - 20 * random.NextDouble()).ToArray()).ToArray();
        var names = Enumerable.Range(0, raw.Length).Select(i => $"m{i}").ToArray();

        // Nothing clipped (TestMapStates.Redrawn), so the oracle needs no percentile.
        var state = TestMapStates.Redrawn(names[..6], raw[..6], [.. Enumerable.Range(0, 6).Select(i => new MapPoint(i, i))], withNeighbours: false, domains, 500);
        state = state.With(state.Map.Place(names[6], raw[6], new MapPoint(9, 9), CancellationToken.None), TestMapStates.Cards(names, raw));

        var columnMeans = Enumerable.Range(0, texts).Select(s => raw[..6].Average(r => r[s] - r.Average())).ToArray();
        var expected = raw.Select(r =>
        {
            var q = r.Select((x, s) => x - r.Average() - columnMeans[s]).ToArray();
            return Enumerable.Range(0, texts).Where(s => !string.IsNullOrEmpty(domains[s])).GroupBy(s => domains[s]!)
                .MaxBy(g => g.Average(s => q[s]))!.Key;
        }).ToArray();
        Assert.True(expected.Distinct().Count() > 1, "The fixture should give the models different strongest domains.");
        Assert.Equal(expected, state.Snapshot.Models.Select(m => m.StrongestDomain));
        Assert.Equal(["Books", "Code", "Web"], state.Snapshot.Domains);
    }
}
