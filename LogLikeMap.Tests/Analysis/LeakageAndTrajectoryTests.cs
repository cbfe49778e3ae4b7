using LogLikeMap.Core.Analysis;

namespace LogLikeMap.Tests.Analysis;

public sealed class LeakageAndTrajectoryTests
{
    [Fact]
    public void LeastSquaresRecoversAnExactLinearLaw()
    {
        // y = 3 + 2 x1 - 0.5 x2 exactly.
        double[][] x = [[1, 2], [2, 1], [3, 5], [4, 4], [5, 0], [6, 3]];
        var y = x.Select(r => 3 + (2 * r[0]) - (0.5 * r[1])).ToArray();
        var b = LeakageFlags.LeastSquares(x, y);
        Assert.Equal(3, b[0], 1e-6);
        Assert.Equal(2, b[1], 1e-6);
        Assert.Equal(-0.5, b[2], 1e-6);
    }

    [Fact]
    public void OnlyTheModelTooLikelyForItsScoresIsFlagged()
    {
        // 20 models whose mean log-likelihood follows their score (-700 + 3 s) with a deterministic wobble of ±1;
        // "leaky" sits 30 nats above its law, "weak" 30 below (too unlikely is no sign of leakage).
        var names = Enumerable.Range(0, 20).Select(i => $"m{i}").Append("leaky").Append("weak").ToArray();
        var scores = names.Select((_, i) => new[] { 20.0 + (2.5 * i) }).ToArray();
        var mean = scores.Select((s, i) => -700 + (3 * s[0]) + (i % 2 == 0 ? 1 : -1)).ToArray();
        mean[20] += 30;
        mean[21] -= 30;

        var checks = LeakageFlags.Check(names, mean, scores, [.. names.Select(_ => true)]);

        Assert.Equal(["leaky"], checks.Where(c => c.Flagged).Select(c => c.Model));
        var leaky = checks.Single(c => c.Model == "leaky");
        // Median and MAD of the residuals are near 0 and 1 (the wobble), so z is about 30 / 1.48.
        Assert.InRange(leaky.RobustZ, 15, 25);
        Assert.True(checks.Single(c => c.Model == "weak").RobustZ < -15);
    }

    [Theory]
    [InlineData("llama-bytes-run-d48-step0040", "llama-bytes-run-d48", 40)]
    [InlineData("EleutherAI/pythia-410m/checkpoint-1000", "EleutherAI/pythia-410m", 1000)]
    [InlineData("run_ckpt20", "run", 20)]
    public void RunAndStepAreReadFromNames(string name, string run, long step) =>
        Assert.Equal(new RunStep(run, step), Trajectories.FromName(name));

    [Fact]
    public void ANameWithoutAStepIsNoCheckpoint() => Assert.Null(Trajectories.FromName("gpt2-bytes-d48-l2-s1"));

    [Fact]
    public void TrajectoryKlIsHalfTheVarianceOfTheDifference()
    {
        // Rows are already centred; KL(a, b) = Σ (a_s - b_s)² / 2N. Steps given out of order, one model of no run.
        double[][] rows = [[1, -1, 0, 0], [0, 0, 1, -1], [2, -2, 0, 0], [5, 5, -5, -5]];
        string[] names = ["r-step20", "r-step10", "r-step30", "other"];
        var trajectories = Trajectories.Build(names, [null, null, null, null], i => rows[i]);

        var run = Assert.Single(trajectories);
        Assert.Equal("r", run.Run);
        Assert.Equal(["r-step10", "r-step20", "r-step30"], run.Points.Select(p => p.Model));
        Assert.Null(run.Points[0].KlFromPrevious);
        Assert.Equal(4.0 / 8, run.Points[1].KlFromPrevious);   // (1,-1,-1,1): 4 / 2N
        Assert.Equal(2.0 / 8, run.Points[2].KlFromPrevious);   // (1,-1,0,0): 2 / 2N
        Assert.Equal(10.0 / 8, run.Points[2].KlFromStart);     // (2,-2,-1,1): 10 / 2N
        Assert.Equal(0.0, run.Points[2].KlToFinal);
    }
}
