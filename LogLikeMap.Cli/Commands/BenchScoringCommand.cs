using LogLikeMap.Lab.Benchmarks;
using System.CommandLine;
using System.Globalization;
using LogLikeMap.Scoring;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench scoring</c>: tokens per second and GFLOP/s of the scoring loop on a GPT-2-small shape
/// (124M parameters, random weights), 256-token texts, batch 1 and batched, float32 and bfloat16.
/// Compare with <c>/usr/bin/python3 bench/scoring_reference.py</c> (Debian's PyTorch) on the same machine.
/// </summary>
public static class BenchScoringCommand
{
    public static Command Create()
    {
        var texts = new Option<int>("--texts") { Description = "Texts per measurement.", DefaultValueFactory = _ => 8 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens per text.", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Texts per batch in the batched measurement.", DefaultValueFactory = _ => 8 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)." };
        var precision = new Option<string>("--precision")
        {
            Description = "Which precisions to time (bfloat16 takes minutes on CPUs without AVX512_BF16).",
            DefaultValueFactory = _ => "all",
        };
        precision.AcceptOnlyFromAmong("all", "float32", "bfloat16");
        var command = new Command("scoring", "Time scoring on a GPT-2-small-shaped model: tokens/s and GFLOP/s (2 x parameters x tokens).")
        {
            texts, tokens, batch, threads, precision,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ScoringPrecision[] precisions = parse.GetValue(precision) switch
            {
                "float32" => [ScoringPrecision.Float32],
                "bfloat16" => [ScoringPrecision.BFloat16],
                _ => [ScoringPrecision.Float32, ScoringPrecision.BFloat16],
            };
            var options = new ScoringBenchmarkOptions(
                parse.GetValue(texts), parse.GetValue(tokens), parse.GetValue(batch), parse.GetValue(threads), precisions);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"GPT-2-small shape, random weights, {options.TextCount} texts x {options.TokensPerText} tokens, " +
                $"{options.Threads ?? Environment.ProcessorCount} threads"));
            Console.WriteLine("precision  batch  tokens   seconds  tokens/s  GFLOP/s");
            var progress = new SynchronousProgress<ScoringBenchmarkResult>(r => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Precision,-9}  {r.BatchTexts,5}  {r.Tokens,6}  {r.Seconds,8:F2}  {r.TokensPerSecond,8:F0}  {r.GigaflopsPerSecond,7:F1}")));
            await ScoringBenchmark.RunAsync(options, progress, cancellationToken);
            return 0;
        });
        return command;
    }
}
