using LogLikeMap.Scoring.Checkpoints;

namespace LogLikeMap.Tests.Checkpoints;

public sealed class ParameterCountTests
{
    [Fact]
    public void The_tiny_GPT2s_parameters_are_counted_from_its_headers_as_the_architecture_gives_them()
    {
        // GPT-2 (config.json: vocab 50257, n_embd 32, n_positions 2048, n_layer 2, tied lm_head): wte V·d + wpe P·d, per block
        // ln_1 2d + c_attn (3d² + 3d) + attn c_proj (d² + d) + ln_2 2d + c_fc (4d² + 4d) + mlp c_proj (4d² + d) = 12d² + 13d,
        // and ln_f 2d.
        const long V = 50257, d = 32, P = 2048, L = 2;
        const long expected = V * d + P * d + L * (12 * d * d + 13 * d) + 2 * d;

        using var weights = CheckpointWeights.Open(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"));

        Assert.Equal(expected, weights.ParameterCount);
    }
}
