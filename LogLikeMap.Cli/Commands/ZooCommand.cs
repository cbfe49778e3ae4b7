using System.CommandLine;
using LogLikeMap.Scoring;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Lab.Zoo;

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
        ScoreCommand(),
        SamplesCommand(),
        BenchmarkCommand(),
        CheckCommand(),
    };

    private static Command TrainCommand()
    {
        var output = new Option<string>("--out") { Description = "Folder of the zoo's checkpoints (one HF folder per model).", DefaultValueFactory = _ => "artifacts/zoo" };
        var corpus = new Option<string>("--corpus") { Description = "Training corpus written by 'loglikemap textset build'.", DefaultValueFactory = _ => "artifacts/zoo-corpus" };
        var gpt2 = new Option<string>("--gpt2-tokenizer") { Description = "Folder with GPT-2's vocab.json and merges.txt.", DefaultValueFactory = _ => "data/tokenizers/gpt2" };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads (1 is fastest on a busy machine: idle OpenMP threads spin).", DefaultValueFactory = _ => 1 };
        var texts = new Option<string>("--texts") { Description = "The map's text set, which the leakage run trains on.", DefaultValueFactory = _ => "data/demo-map/texts.jsonl" };
        var only = new Option<string[]>("--only")
        {
            Description = "Train only the runs with these names (default: the whole recipe).",
            AllowMultipleArgumentsPerToken = true,
        };

        var train = new Command("train", "Train every zoo model not yet saved (resumable; each model folder appears atomically).")
        {
            output, corpus, gpt2, threads, texts, only,
        };
        train.SetAction(async (parse, cancellationToken) =>
        {
            var recipe = Selected(parse.GetValue(only));
            var paths = new ZooPaths(
                parse.GetValue(output)!, parse.GetValue(corpus)!, parse.GetValue(gpt2)!,
                recipe.Any(r => r.Mixture.Contains(TrainingCorpus.MapTexts)) ? parse.GetValue(texts) : null);
            var log = new ConsoleLog();
            await ZooTraining.TrainAsync(recipe, paths, new TrainingOptions(Threads: parse.GetValue(threads)), log, cancellationToken);
            return 0;
        });
        return train;
    }

    private static Command ScoreCommand()
    {
        var zoo = new Option<string>("--zoo") { Description = "Folder of the zoo's checkpoints.", DefaultValueFactory = _ => "artifacts/zoo" };
        var texts = new Option<string>("--texts") { Description = "The text set (paper JSON Lines).", DefaultValueFactory = _ => "data/demo-map/texts.jsonl" };
        var output = new Option<string>("--out") { Description = "Map folder: results/NAME.jsonl and models.jsonl are written here.", DefaultValueFactory = _ => "data/demo-map" };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads.", DefaultValueFactory = _ => 1 };
        var only = new Option<string[]>("--only")
        {
            Description = "Score only the runs with these names (models.jsonl then lists only them; run once more without it).",
            AllowMultipleArgumentsPerToken = true,
        };

        var score = new Command("score", "Score every zoo model of the map with the scoring engine and write models.jsonl (resumable).")
        {
            zoo, texts, output, threads, only,
        };
        score.SetAction(async (parse, cancellationToken) =>
        {
            var textSet = await TextSetFile.ReadAsync(parse.GetValue(texts)!, cancellationToken);
            await ZooScoring.ScoreAsync(
                Selected(parse.GetValue(only)),
                parse.GetValue(zoo)!,
                textSet,
                parse.GetValue(output)!,
                new ScoringOptions(Threads: parse.GetValue(threads)),
                new ConsoleLog(),
                cancellationToken);
            return 0;
        });
        return score;
    }

    private static Command SamplesCommand()
    {
        var zoo = new Option<string>("--zoo") { Description = "Folder of the zoo's checkpoints.", DefaultValueFactory = _ => "artifacts/zoo" };
        var output = new Option<string>("--out") { Description = "Where the sample checkpoints go.", DefaultValueFactory = _ => "data/samples" };
        var samples = new Command("samples", "Copy the sample checkpoints (trained like the map's families, kept out of the map) for users to upload.")
        {
            zoo, output,
        };
        samples.SetAction(parse =>
        {
            foreach (var folder in ZooScoring.CopySamples(ZooRecipe.Default, parse.GetValue(zoo)!, parse.GetValue(output)!))
                Console.WriteLine(folder);
            return 0;
        });
        return samples;
    }

    private static Command BenchmarkCommand()
    {
        var zoo = new Option<string>("--zoo") { Description = "Folder of the zoo's checkpoints.", DefaultValueFactory = _ => "artifacts/zoo" };
        var corpus = new Option<string>("--corpus") { Description = "Training corpus written by 'loglikemap textset build' (its held-out documents are the benchmark's).", DefaultValueFactory = _ => "artifacts/zoo-corpus" };
        var output = new Option<string>("--out") { Description = "The scores CSV (model,family,<target>,...) that 'loglikemap predict --scores' reads.", DefaultValueFactory = _ => "data/demo-map/scores.csv" };
        var only = new Option<string[]>("--only")
        {
            Description = "Score only the runs with these names.",
            AllowMultipleArgumentsPerToken = true,
        };
        var benchmark = new Command("benchmark", "Measure the zoo's own benchmark (next-token accuracy and a cloze task per domain, on held-out documents) for every map model.")
        {
            zoo, corpus, output, only,
        };
        benchmark.SetAction(async (parse, cancellationToken) =>
        {
            await ZooBenchmark.WriteScoresAsync(
                Selected(parse.GetValue(only)), parse.GetValue(zoo)!, parse.GetValue(corpus)!, parse.GetValue(output)!, new ConsoleLog(), cancellationToken);
            return 0;
        });
        return benchmark;
    }

    private static Command CheckCommand()
    {
        var map = new Option<string>("--map") { Description = "The zoo's map folder (texts.jsonl, models.jsonl, results/).", DefaultValueFactory = _ => "data/demo-map" };
        var zoo = new Option<string>("--zoo") { Description = "Folder of the zoo's checkpoints (sampled for the KL check).", DefaultValueFactory = _ => "artifacts/zoo" };
        var models = new Option<int>("--models") { Description = "Models in the Monte-Carlo KL check (0 skips it).", DefaultValueFactory = _ => 12 };
        var samples = new Option<int>("--samples") { Description = "Sequences sampled from each model.", DefaultValueFactory = _ => 32 };
        var length = new Option<int>("--length") { Description = "Tokens per sampled sequence.", DefaultValueFactory = _ => 128 };
        var check = new Command("check", "Print the checks of the method on the zoo: Monte-Carlo KL vs the estimate, lineage neighbours, checkpoint neighbours, the interpolation grid.")
        {
            map, zoo, models, samples, length,
        };
        check.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ZooCheckOptions(parse.GetValue(models), parse.GetValue(samples), parse.GetValue(length));
            var report = await ZooChecks.RunAsync(
                parse.GetValue(map)!, parse.GetValue(zoo)!, options, new SynchronousLog(), cancellationToken);
            Console.Write(report.Format());
            return 0;
        });
        return check;
    }

    /// <summary>The recipe's runs named by --only, or all of them.</summary>
    private static IReadOnlyList<ZooModelSpec> Selected(string[]? names) =>
        names is not { Length: > 0 } ? ZooRecipe.Default : [.. ZooRecipe.Default.Where(spec => names.Contains(spec.Name))];

    /// <summary>Writes each event as a time-stamped line at once (the training log is tailed while it runs).</summary>
    private sealed class ConsoleLog : IProgress<ZooTrainingEvent>, IProgress<ZooScoringEvent>
    {
        public void Report(ZooTrainingEvent value) => Write(value.Message);

        public void Report(ZooScoringEvent value) => Write(value.Message);

        private static void Write(string message) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");
    }

    private sealed class SynchronousLog : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {value}");
    }
}
