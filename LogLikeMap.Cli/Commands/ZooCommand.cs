using System.CommandLine;
using LogLikeMap.Core.Zoo;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap zoo</c>: trains the built-in zoo of small language models, scores it into the demo map, ships the
/// sample checkpoints and prints the checks of the method.
/// </summary>
internal static class ZooCommand
{
    public static Command Create() => new("zoo", "The built-in zoo of small language models trained by the project.")
    {
        TrainCommand(),
    };

    private static Command TrainCommand()
    {
        var output = new Option<string>("--out") { Description = "Folder of the zoo's checkpoints (one HF folder per model).", DefaultValueFactory = _ => "artifacts/zoo" };
        var corpus = new Option<string>("--corpus") { Description = "Training corpus written by 'loglikemap textset build'.", DefaultValueFactory = _ => "artifacts/zoo-corpus" };
        var gpt2 = new Option<string>("--gpt2-tokenizer") { Description = "Folder with GPT-2's vocab.json and merges.txt.", DefaultValueFactory = _ => "data/tokenizers/gpt2" };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads (1 is fastest on a busy machine: idle OpenMP threads spin).", DefaultValueFactory = _ => 1 };
        var only = new Option<string[]>("--only")
        {
            Description = "Train only the runs with these names (default: the whole recipe).",
            AllowMultipleArgumentsPerToken = true,
        };

        var train = new Command("train", "Train every zoo model not yet saved (resumable; each model folder appears atomically).")
        {
            output, corpus, gpt2, threads, only,
        };
        train.SetAction(async (parse, cancellationToken) =>
        {
            var names = parse.GetValue(only) ?? [];
            var recipe = names.Length == 0
                ? ZooRecipe.Default
                : [.. ZooRecipe.Default.Where(spec => names.Contains(spec.Name))];
            var paths = new ZooPaths(parse.GetValue(output)!, parse.GetValue(corpus)!, parse.GetValue(gpt2)!);
            var log = new ConsoleLog();
            await ZooTraining.TrainAsync(recipe, paths, new TrainingOptions(Threads: parse.GetValue(threads)), log, cancellationToken);
            return 0;
        });
        return train;
    }

    /// <summary>Writes each event as a time-stamped line at once (the training log is tailed while it runs).</summary>
    private sealed class ConsoleLog : IProgress<ZooTrainingEvent>
    {
        public void Report(ZooTrainingEvent value) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {value.Message}");
    }
}
