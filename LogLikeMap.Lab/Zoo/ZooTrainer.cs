using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Lab.Zoo;

/// <summary>Progress of one training run: the step reached and the mean training loss (nats per token) since the last report.</summary>
public sealed record TrainingProgress(string Run, int Step, int Steps, double Loss, double TokensPerSecond);

/// <param name="BatchSize">Windows per optimiser step.</param>
/// <param name="WarmupFraction">Share of the steps with a linear learning-rate warm-up.</param>
/// <param name="FinalLearningRateFraction">Cosine decay ends at this fraction of the peak rate.</param>
/// <param name="WeightDecay">AdamW's decoupled weight decay (nanoGPT's 0.1).</param>
/// <param name="ReportEvery">Steps between progress reports.</param>
/// <param name="Threads">libtorch's CPU threads (process-wide); all cores when null.</param>
public sealed record TrainingOptions(
    int BatchSize = 8,
    double WarmupFraction = 0.1,
    double FinalLearningRateFraction = 0.1,
    double WeightDecay = 0.1,
    int ReportEvery = 25,
    int? Threads = null);

/// <summary>
/// Trains one zoo run on the CPU with TorchSharp: next-token cross-entropy on random windows of the training corpus,
/// AdamW (betas 0.9, 0.95 as nanoGPT and GPT-3), linear warm-up then cosine decay, gradient clipping at norm 1.
/// Each saved model is written in Hugging Face layout by <see cref="HfCheckpointWriter"/> (atomically), so the
/// scorer loads it like any upload. Tensors stay inside this class: callers get folders.
/// </summary>
public static class ZooTrainer
{
    /// <summary>
    /// Runs <paramref name="spec"/> and writes each of its saved models to <c>OUT/NAME</c>. A fine-tune starts from
    /// <paramref name="parentFolder"/>'s weights; otherwise weights start from the architecture's initialisation
    /// under the run's seed, and the batches come from a generator under the same seed, so a run is repeatable.
    /// </summary>
    public static void Train(
        ZooModelSpec spec,
        ZooTokenizer tokenizer,
        TrainingCorpus corpus,
        string outputFolder,
        string? parentFolder,
        TrainingOptions options,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        var saves = spec.SavedModels.ToDictionary(s => s.Step, s => s.Name);
        set_num_threads(options.Threads ?? Environment.ProcessorCount);

        using var model = parentFolder is null
            ? CreateInitialised(spec, tokenizer)
            : CheckpointLoader.Load(CheckpointFolder.Open(parentFolder), ScalarType.Float32, CPU);
        model.train();
        using var optimizer = optim.AdamW(
            model.parameters(), lr: spec.LearningRate, beta1: 0.9, beta2: 0.95, weight_decay: options.WeightDecay);
        var random = new Random(spec.Seed);
        var vocabulary = model.VocabularySize;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        double lossSum = 0;
        var lossCount = 0;

        for (var step = 1; step <= spec.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SetLearningRate(optimizer, LearningRate(spec, options, step));
            using (NewDisposeScope())
            {
                var windows = tensor(
                    corpus.SampleWindows(random, spec.Mixture, options.BatchSize, spec.Context),
                    [options.BatchSize, spec.Context + 1],
                    ScalarType.Int64,
                    CPU);
                var inputs = windows[.., ..^1];                                                        // (B, T)
                var targets = windows[.., 1..];                                                        // (B, T)
                var logits = model.forward(inputs);                                                    // (B, T, V)
                var loss = nn.functional.cross_entropy(logits.reshape(-1, vocabulary), targets.reshape(-1));
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                optimizer.step();
                lossSum += loss.item<float>();
                lossCount++;
            }

            if (step % options.ReportEvery == 0 || step == spec.Steps)
            {
                var tokens = (double)step * options.BatchSize * spec.Context;
                progress?.Report(new TrainingProgress(spec.Name, step, spec.Steps, lossSum / lossCount, tokens / stopwatch.Elapsed.TotalSeconds));
                lossSum = 0;
                lossCount = 0;
            }
            if (saves.TryGetValue(step, out var name))
                Save(model, spec, tokenizer, Path.Combine(outputFolder, name));
        }
    }

    /// <summary>The parameter count of a model built from this spec (what models.jsonl reports).</summary>
    public static long ParameterCount(ZooModelSpec spec, ZooTokenizer tokenizer)
    {
        using var model = ModelRegistry.Create(ConfigAsSaved(spec, tokenizer));
        return model.parameters().Sum(p => p.numel());
    }

    /// <summary>
    /// The config as the scorer will read it from config.json: built from its JSON text, so training and scoring
    /// construct the model from identical values.
    /// </summary>
    private static JsonObject ConfigAsSaved(ZooModelSpec spec, ZooTokenizer tokenizer) =>
        JsonNode.Parse(spec.Config(tokenizer).ToJsonString())!.AsObject();

    private static CausalLanguageModel CreateInitialised(ZooModelSpec spec, ZooTokenizer tokenizer)
    {
        var model = ModelRegistry.Create(ConfigAsSaved(spec, tokenizer));
        model.InitializeWeights(spec.Seed);
        return model;
    }

    /// <summary>Linear warm-up to the peak, then cosine decay to <see cref="TrainingOptions.FinalLearningRateFraction"/> of it.</summary>
    private static double LearningRate(ZooModelSpec spec, TrainingOptions options, int step)
    {
        var warmup = Math.Max(1, (int)(spec.Steps * options.WarmupFraction));
        if (step <= warmup)
            return spec.LearningRate * step / warmup;
        var progress = (double)(step - warmup) / Math.Max(1, spec.Steps - warmup);
        var floor = options.FinalLearningRateFraction;
        return spec.LearningRate * (floor + ((1 - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress))));
    }

    private static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = rate;
    }

    private static void Save(CausalLanguageModel model, ZooModelSpec spec, ZooTokenizer tokenizer, string folder)
    {
        var weights = new List<NamedTensor>();
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                // GPT-2's Conv1D weights go back to the checkpoint's (in, out) layout.
                using var stored = model.StoredTransposed(name) ? parameter.detach().t() : parameter.detach();
                using var values = stored.to(ScalarType.Float32).cpu().contiguous();
                weights.Add(new NamedTensor(name, values.shape, values.data<float>().ToArray()));
            }
        }
        HfCheckpointWriter.Write(folder, new HfCheckpoint(spec.Config(tokenizer), weights, tokenizer.Files(spec.Context)));
    }
}
