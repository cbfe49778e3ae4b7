using System.Runtime.InteropServices;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using static TorchSharp.torch;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// Models that cannot give finite log-likelihoods stop the scoring with the text and dtype named
/// (<see cref="NonFiniteScores"/>), and libtorch's native errors read as what happened (<see cref="TorchErrorText"/>).
/// </summary>
public sealed class NumericalFailureTests
{
    private static readonly string TinyGpt2 = Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny");

    [Fact]
    public async Task NaN_weights_stop_scoring_at_the_first_batch_naming_the_text_the_dtype_and_the_tensor()
    {
        using var scorer = Scorer(ScalarType.Float32, ScoringPrecision.Float32, (name, p) =>
        {
            if (name == "transformer.h.1.mlp.c_fc.bias")
                p[3].fill_(float.NaN);
        });
        var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "gpt2-tiny").Take(3).ToArray();

        var error = await Assert.ThrowsAsync<NonFiniteLogLikelihoodException>(() => scorer.ScoreAsync(texts, null, CancellationToken.None));

        // The batch is ordered by length, so any of the three may be named first.
        Assert.Contains(texts, t => error.Message.StartsWith(
            $"Text {t.Index} ({t.Ids.Count} tokens) got a log-likelihood of NaN in float32, and 2 more text(s) of the same batch did too. ",
            StringComparison.Ordinal));
        Assert.EndsWith(
            "The checkpoint's tensor 'transformer.h.1.mlp.c_fc.bias' holds NaN or infinite values, so no dtype can score it: the model is " +
            "numerically broken. Check the training run that saved it, or upload an earlier checkpoint.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activations_beyond_float16s_range_suggest_float32_which_scores_them_finitely()
    {
        // A final LayerNorm gain of 60,000 (float16's largest finite value is 65,504): its outputs, unit-variance values
        // times the gain, overflow float16 but are ordinary float32 numbers.
        static void Gain(string name, Tensor p)
        {
            if (name == "transformer.ln_f.weight")
                p.fill_(60_000);
        }
        var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "gpt2-tiny").Take(2).ToArray();
        using var half = Scorer(ScalarType.Float16, ScoringPrecision.Float16, Gain);
        using var full = Scorer(ScalarType.Float32, ScoringPrecision.Float32, Gain);

        var error = await Assert.ThrowsAsync<NonFiniteLogLikelihoodException>(() => half.ScoreAsync(texts, null, CancellationToken.None));
        var scores = await full.ScoreAsync(texts, null, CancellationToken.None);

        Assert.Contains(" in float16", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "The weights are finite, so the activations overflowed float16's range (float16 holds at most 65,504). " +
            "Score this model in float32 (Jobs:ScoringPrecision, or --dtype float32).", error.Message, StringComparison.Ordinal);
        Assert.All(scores, s => Assert.True(double.IsFinite(s.LogLikelihood) && s.LogLikelihood < 0));
    }

    [Fact]
    public void A_failed_allocation_says_how_much_was_asked_for_without_native_frames()
    {
        // 2^50 float32 values, 4 PB: more than any address space, so libtorch's CPU allocator refuses it.
        var error = Assert.ThrowsAny<ExternalException>(() => empty(1L << 50, ScalarType.Float32));

        Assert.True(TorchErrorText.IsNative(error));
        var text = TorchErrorText.Describe(error, "while loading the model");

        Assert.Equal(
            "The server ran out of memory while loading the model: libtorch could not allocate 4503599.627 GB more. Score the model in " +
            "bfloat16 (half the memory of float32), lower the tokens per batch, or use a machine with more memory.", text);
    }

    [Fact]
    public void Another_native_error_gives_libtorchs_first_line_and_the_likely_cause()
    {
        // (Not matmul: TorchSharp's THSTensor_matmul does not catch libtorch's C++ exception, which ends the process.)
        var error = Assert.ThrowsAny<ExternalException>(() => ones(2, 3).reshape(5));

        var text = TorchErrorText.Describe(error, "while scoring the model");

        Assert.Contains("frame #", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            "libtorch stopped while scoring the model: shape '[5]' is invalid for input of size 6. This usually means the " +
            "weights do not fit the architecture config.json names; check that config.json and the weights were saved together by transformers.",
            text);
    }

    /// <summary>The tiny GPT-2 in <paramref name="dtype"/> with its parameters edited (a float32 copy of each is handed to <paramref name="edit"/>).</summary>
    private static LogLikelihoodScorer Scorer(ScalarType dtype, ScoringPrecision precision, Action<string, Tensor> edit)
    {
        var model = CheckpointLoader.Load(CheckpointFolder.Open(TinyGpt2), dtype, CPU);
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                using var copy = parameter.to(ScalarType.Float32);
                edit(name, copy);
                parameter.copy_(copy);
            }
        }
        return new LogLikelihoodScorer(model, CPU, new ScoringOptions(precision));
    }
}
