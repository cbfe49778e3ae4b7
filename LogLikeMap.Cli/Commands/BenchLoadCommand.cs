using LogLikeMap.Lab.Benchmarks;
using System.CommandLine;
using System.Globalization;
using LogLikeMap.Scoring;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench load --params 1b</c>: writes a random Llama checkpoint (TinyLlama-1.1B's shape by default, in
/// bfloat16), then loads and scores a few texts with it, reporting the load time and the process's peak resident
/// memory next to the weights' size: loading reads each tensor into its parameter, so the peak should be the weights
/// plus the runtime, not twice the weights.
/// </summary>
public static class BenchLoadCommand
{
    public static Command Create()
    {
        var size = new Option<string>("--params") { Description = "Model size: tiny (10M), 1b (TinyLlama-1.1B's shape) or 7b (Llama-2-7B's).", DefaultValueFactory = _ => "1b" };
        size.AcceptOnlyFromAmong("tiny", "1b", "7b");
        var dtype = new Option<string>("--dtype") { Description = "Stored and scoring dtype.", DefaultValueFactory = _ => "bfloat16" };
        dtype.AcceptOnlyFromAmong("bfloat16", "float16", "float32");
        var texts = new Option<int>("--texts") { Description = "Random texts scored after loading.", DefaultValueFactory = _ => 4 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens per text.", DefaultValueFactory = _ => 128 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)." };
        var folder = new Option<string?>("--folder") { Description = "Write the checkpoint here and keep it (default: a temporary folder, deleted afterwards)." };
        var command = new Command("load", "Load and score a random Llama checkpoint: load time and peak resident memory next to the weights' size.")
        {
            size, dtype, texts, tokens, threads, folder,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new LoadBenchmarkOptions(
                parse.GetValue(size) switch { "tiny" => LoadBenchmarkSize.Tiny, "7b" => LoadBenchmarkSize.SevenBillion, _ => LoadBenchmarkSize.OneBillion },
                parse.GetValue(dtype) switch { "float32" => ScoringPrecision.Float32, "float16" => ScoringPrecision.Float16, _ => ScoringPrecision.BFloat16 },
                parse.GetValue(texts), parse.GetValue(tokens), parse.GetValue(threads), parse.GetValue(folder));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Random llama ({parse.GetValue(size)}), {options.Precision}, {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
            var r = await LoadBenchmark.RunAsync(options, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                parameters            {r.Parameters:N0}
                weights               {ProcessMemory.Describe(r.WeightBytes)} ({r.WeightBytes:N0} bytes)
                write                 {r.WriteSeconds:F1} s
                load                  {r.LoadSeconds:F1} s
                score                 {r.ScoreSeconds:F1} s for {r.Tokens} tokens ({r.Tokens / r.ScoreSeconds:F0} tokens/s)
                resident before load  {ProcessMemory.Describe(r.ResidentBeforeLoad)}
                peak after load       {ProcessMemory.Describe(r.PeakAfterLoad)}
                peak after scoring    {ProcessMemory.Describe(r.PeakAfterScoring)}{(r.PeakWasReset ? "" : "  (peak not reset: includes writing the checkpoint)")}
                """));
            return 0;
        });
        return command;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
