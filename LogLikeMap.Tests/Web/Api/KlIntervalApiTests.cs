using System.Net.Http.Json;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Api;

namespace LogLikeMap.Tests.Web.Api;

public sealed class KlIntervalApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static readonly DemoMapOracle Oracle = new();

    [Fact]
    public async Task Every_neighbour_carries_the_bootstrap_interval_of_its_KL()
    {
        const string model = "AIJUUD/juud-Mistral-7B";
        using var client = factory.CreateClient();
        var response = await client.GetFromJsonAsync<NeighboursResponse>($"/api/models/{Uri.EscapeDataString(model)}/neighbours?k=3");

        Assert.NotNull(response);
        foreach (var neighbour in response.Neighbours)
        {
            var interval = Assert.IsType<KlInterval>(neighbour.KlInterval);
            // Var(d)/2 is blind to a constant shift of d, so the raw clipped vectors give the same redraws as rows of Q;
            // KlBootstrap itself is checked against numpy in KlBootstrapTests.
            var expected = KlBootstrap.Interval([.. Oracle.Clipped(model)], [.. Oracle.Clipped(neighbour.Name)]);
            Assert.Equal(neighbour.KlNats, interval.KlNats, neighbour.KlNats * 1e-9);
            Assert.Equal(expected.LowerNats, interval.LowerNats, expected.KlNats * 1e-9);
            Assert.Equal(expected.UpperNats, interval.UpperNats, expected.KlNats * 1e-9);
            Assert.True(interval.LowerNats < interval.KlNats && interval.KlNats < interval.UpperNats);
            Assert.Equal((0.95, KlBootstrap.DefaultResamples), (interval.Level, interval.Resamples));
        }
    }
}
