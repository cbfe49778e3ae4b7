using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap score --model DIR --texts FILE --out FILE</c>: the log-likelihood of every text under one Hugging Face
/// checkpoint, written as the paper's results JSON Lines (<c>{"index", "num-tokens", "log-likelihood"}</c>, sorted by
/// index). Scores reach the file as batches finish; rerunning with the same --out resumes. Progress goes to stderr.
/// </summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder: config.json, safetensors weights, tokenizer files.", Required = true };
        var texts = new Option<string>("--texts") { Description = "Texts in the paper's JSON Lines (index, text, pile_set_name).", Required = true };
        var output = new Option<string>("--out") { Description = "Results JSON Lines to write (or resume).", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "Model dtype.", DefaultValueFactory = _ => "float32" };
        dtype.AcceptOnlyFromAmong("float32", "bfloat16", "float16");
        var device = new Option<string>("--device") { Description = "Where the model runs.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var batchTokens = new Option<int>("--max-batch-tokens")
        {
            Description = "Batch size x longest text per batch (padding included); 1 scores texts one by one.",
            DefaultValueFactory = _ => new ScoringOptions().MaxBatchTokens,
        };
        var command = new Command("score", "Score texts with a Hugging Face checkpoint: one log-likelihood (nats) per text.")
        {
            model, texts, output, dtype, device, batchTokens,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new ScoringOptions(
                parse.GetValue(dtype) switch { "bfloat16" => ScoringPrecision.BFloat16, "float16" => ScoringPrecision.Float16, _ => ScoringPrecision.Float32 },
                parse.GetValue(device) == "cuda" ? ScoringDevice.Cuda : ScoringDevice.Cpu,
                parse.GetValue(batchTokens));
            return RunAsync(parse.GetValue(model)!, parse.GetValue(texts)!, parse.GetValue(output)!, options,
                parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        string modelFolder, string textsPath, string outputPath, ScoringOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var textSet = await TextSetFile.ReadAsync(textsPath, cancellationToken);
            // Load (and so validate) the checkpoint before the results file is created: a bad checkpoint leaves no file.
            var loading = Stopwatch.StartNew();
            using var scorer = LogLikelihoodScorer.Load(modelFolder, options);
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Loaded the checkpoint in {loading.Elapsed.TotalSeconds:F1} s; peak resident memory so far {ProcessMemory.Describe(ProcessMemory.PeakResidentBytes())}."));
            var tokenized = textSet.Texts.Select(t => scorer.Tokenize(t.Index, t.Text)).ToArray();
            var progress = new SynchronousProgress<ScoringProgress>(p => Report(p, error));
            var scores = await scorer.ScoreToFileAsync(tokenized, outputPath, progress, cancellationToken);
            error.WriteLine($"Wrote {scores.Count} scores to '{outputPath}'. Peak resident memory {ProcessMemory.Describe(ProcessMemory.PeakResidentBytes())}.");
            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"Cancelled; every finished batch is in '{outputPath}'. Rerun the same command to resume.");
            return 130;
        }
        catch (Exception ex) when (ex is CheckpointException or NonFiniteLogLikelihoodException or InvalidDataException or FileNotFoundException
                                       or InvalidOperationException or IOException or InsufficientMemoryException)
        {
            error.WriteLine($"Cannot score: {ex.Message}");
            return 2;
        }
    }

    private static void Report(ScoringProgress progress, TextWriter error)
    {
        if (progress.Note is not null)
            error.WriteLine(progress.Note);
        if (progress.TimeLeft is { } left)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{progress.TextsDone}/{progress.TextCount} texts, {progress.TokensPerSecond:F0} tokens/s, {left:hh\\:mm\\:ss} left"));
        }
    }
}
