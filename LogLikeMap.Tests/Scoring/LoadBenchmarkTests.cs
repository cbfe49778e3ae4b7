using LogLikeMap.Lab.Benchmarks;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Scoring;

/// <summary>The load benchmark's random checkpoint is a valid Llama of the stated size, and its run reports memory.</summary>
public class LoadBenchmarkTests
{
    [Fact]
    public async Task The_tiny_run_writes_loads_and_scores_a_llama_of_the_stated_size()
    {
        using var temp = new TempFolder();
        var folder = Path.Combine(temp.Path, "tiny");

        var result = await LoadBenchmark.RunAsync(
            new LoadBenchmarkOptions(LoadBenchmarkSize.Tiny, ScoringPrecision.BFloat16, TextCount: 2, TokensPerText: 16, Threads: 1, Folder: folder),
            CancellationToken.None);

        // Closed form of a Llama's parameters: untied embedding and head V x H each, per layer q and o H x H, k and v
        // (KV heads x head size) x H, three MLP matrices H x I and two norms H, plus the final norm.
        const long V = 32000, H = 256, I = 688, L = 4, KeyValueWidth = 4 * (256 / 8);
        const long Expected = 2 * V * H + L * (2 * H * H + 2 * KeyValueWidth * H + 3 * H * I + 2 * H) + H;
        Assert.Equal(Expected, result.Parameters);
        Assert.Equal(2 * Expected, result.WeightBytes);
        Assert.Equal(2 * Expected, new FileInfo(Path.Combine(folder, CheckpointWeights.SingleFileName)).Length
            - HeaderBytes(Path.Combine(folder, CheckpointWeights.SingleFileName)));
        Assert.Equal(32, result.Tokens);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(result.PeakAfterScoring);
            Assert.True(result.PeakAfterScoring >= result.PeakAfterLoad, "the peak cannot fall while scoring");
        }
    }

    private static long HeaderBytes(string path)
    {
        using var stream = File.OpenRead(path);
        var prefix = new byte[8];
        stream.ReadExactly(prefix);
        return 8 + BitConverter.ToInt64(prefix);
    }
}
