using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring;
using System.Diagnostics;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Lab.Benchmarks;

/// <summary>What the scoring benchmark runs: a GPT-2-small-shaped model with random weights on random token ids.</summary>
/// <param name="TextCount">Texts per measurement.</param>
/// <param name="TokensPerText">Tokens per text (256, a 1,024-byte chunk of English is about that many GPT-2 tokens).</param>
/// <param name="BatchTexts">Texts per batch in the batched measurement.</param>
/// <param name="Threads">libtorch CPU threads; all cores by default.</param>
/// <param name="Precisions">The precisions to time; float32 and bfloat16 by default (bfloat16 takes minutes on CPUs
/// without AVX512_BF16, where libtorch emulates it).</param>
public sealed record ScoringBenchmarkOptions(
    int TextCount = 8, int TokensPerText = 256, int BatchTexts = 8, int? Threads = null, IReadOnlyList<ScoringPrecision>? Precisions = null);

/// <summary>One measurement: tokens per second and achieved GFLOP/s counted as 2 x parameters x tokens.</summary>
public sealed record ScoringBenchmarkResult(
    ScoringPrecision Precision, int BatchTexts, int Texts, long Tokens, double Seconds, long Parameters)
{
    public double TokensPerSecond => Tokens / Seconds;

    public double GigaflopsPerSecond => 2.0 * Parameters * Tokens / Seconds / 1e9;
}

/// <summary>
/// Times the scoring loop (<see cref="LogLikelihoodScorer"/>: batching, forward, chunked float32 log-softmax) on a
/// GPT-2-small shape (124M parameters, vocabulary 50,257), batch 1 and batched, float32 and bfloat16. The same
/// measurement in PyTorch is bench/scoring_reference.py.
/// </summary>
public static class ScoringBenchmark
{
    /// <summary>HF's <c>gpt2</c> config: 12 layers, 12 heads, width 768, 1,024 positions, tied head.</summary>
    public static JsonObject Gpt2SmallConfig() => new()
    {
        ["model_type"] = "gpt2",
        ["vocab_size"] = 50257,
        ["n_positions"] = 1024,
        ["n_embd"] = 768,
        ["n_layer"] = 12,
        ["n_head"] = 12,
    };

    public static async Task<IReadOnlyList<ScoringBenchmarkResult>> RunAsync(
        ScoringBenchmarkOptions options, IProgress<ScoringBenchmarkResult>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var texts = RandomTexts(options.TextCount, options.TokensPerText, vocabulary: 50257, seed: 1234);
        var results = new List<ScoringBenchmarkResult>();
        foreach (var precision in options.Precisions ?? [ScoringPrecision.Float32, ScoringPrecision.BFloat16])
        {
            foreach (var batchTexts in new[] { 1, options.BatchTexts })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var scoring = new ScoringOptions(precision, MaxBatchTokens: batchTexts * options.TokensPerText, Threads: options.Threads);
                set_num_threads(scoring.Threads ?? Environment.ProcessorCount);
                using var scorer = new LogLikelihoodScorer(Gpt2Small(precision, out var parameters), CPU, scoring);
                // One warm-up batch: first calls allocate and pick kernels.
                await scorer.ScoreAsync(texts.Take(batchTexts).ToArray(), progress: null, cancellationToken);
                var clock = Stopwatch.StartNew();
                await scorer.ScoreAsync(texts, progress: null, cancellationToken);
                var result = new ScoringBenchmarkResult(
                    precision, batchTexts, texts.Length, texts.Sum(t => (long)t.Ids.Count), clock.Elapsed.TotalSeconds, parameters);
                results.Add(result);
                progress?.Report(result);
            }
        }
        return results;
    }

    private static CausalLanguageModel Gpt2Small(ScoringPrecision precision, out long parameters)
    {
        var model = ModelRegistry.Create(Gpt2SmallConfig());
        model.InitializeWeights(seed: 42);
        model.eval();
        // Tied: the head is the embedding, counted once (HF's num_parameters gives 124,439,808).
        parameters = model.parameters().Sum(p => p.numel());
        model.to(precision switch
        {
            ScoringPrecision.BFloat16 => ScalarType.BFloat16,
            ScoringPrecision.Float16 => ScalarType.Float16,
            _ => ScalarType.Float32,
        });
        return model;
    }

    private static TokenizedText[] RandomTexts(int count, int tokens, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new TokenizedText(i, Enumerable.Range(0, tokens).Select(_ => random.Next(vocabulary)).ToArray()))
            .ToArray();
    }
}
