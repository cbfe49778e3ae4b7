using LogLikeMap.Core.Map;
using LogLikeMap.Web.Analysis;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogLikeMap.Tests.Web.Api;

public sealed class TrajectoriesApiTests
{
    [Fact]
    public async Task Checkpoints_of_a_run_come_in_step_order_with_half_the_variance_of_each_step()
    {
        const int texts = 30;
        var random = new Random(3);
        string[] names = ["org/run-step200", "org/run-step100", "org/other", "org/run-step300"];
        var raw = names.Select(_ => Enumerable.Range(0, texts).Select(_ => -40 - 20 * random.NextDouble()).ToArray()).ToArray();
        // Nothing is clipped, so KL = Var_s(L_a - L_b) / 2 of the raw rows (docs/method.md §1.4-1.5).
        var state = TestMapStates.Redrawn(names, raw, [.. names.Select((_, i) => new MapPoint(i, i))], withNeighbours: false);
        var map = new ModelMapService(NullLogger<ModelMapService>.Instance);
        await map.PublishAsync(state);

        var response = AnalysisApi.GetTrajectories(map).Value!;

        var run = Assert.Single(response.Trajectories);
        Assert.Equal("org/run", run.Run);
        Assert.Equal([100L, 200, 300], run.Points.Select(p => p.Step));
        Assert.Equal(HalfVariance(raw[1], raw[0]), run.Points[1].KlFromPrevious!.Value, 1e-9);
        Assert.Equal(HalfVariance(raw[0], raw[3]), run.Points[2].KlFromPrevious!.Value, 1e-9);
        Assert.Equal(HalfVariance(raw[1], raw[3]), run.Points[2].KlFromStart, 1e-9);
        Assert.Equal(HalfVariance(raw[1], raw[3]), run.Points[0].KlToFinal, 1e-9);
    }

    [Fact]
    public async Task A_final_model_whose_card_gives_its_run_and_step_ends_its_run()
    {
        // The zoo saves a base's last step under the base's own name: only its card (run, step) says it belongs to the run.
        const int texts = 20;
        var random = new Random(5);
        string[] names = ["base", "base-step0100", "base-step0200"];
        var raw = names.Select(_ => Enumerable.Range(0, texts).Select(_ => -40 - 20 * random.NextDouble()).ToArray()).ToArray();
        var cards = TestMapStates.Cards(names, raw);
        cards["base"] = cards["base"] with { Checkpoint = new Core.Analysis.RunStep("base", 300) };
        cards["base-step0200"] = cards["base-step0200"] with { Checkpoint = new Core.Analysis.RunStep("base", 200) };
        var plain = TestMapStates.Redrawn(names, raw, [.. names.Select((_, i) => new MapPoint(i, i))], withNeighbours: false);
        var state = new MapState(plain.Map, cards, plain.Texts, 1);
        var map = new ModelMapService(NullLogger<ModelMapService>.Instance);
        await map.PublishAsync(state);

        var run = Assert.Single(AnalysisApi.GetTrajectories(map).Value!.Trajectories);

        Assert.Equal("base", run.Run);
        Assert.Equal(["base-step0100", "base-step0200", "base"], run.Points.Select(p => p.Model));
        Assert.Equal(HalfVariance(raw[1], raw[0]), run.Points[0].KlToFinal, 1e-9);
    }

    private static double HalfVariance(double[] a, double[] b)
    {
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var mean = d.Average();
        return d.Sum(x => (x - mean) * (x - mean)) / d.Length / 2;
    }
}
