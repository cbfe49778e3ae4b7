namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The built-in zoo: small causal language models that differ in the ways the paper's map separates real models
/// (architecture, tokenizer, size, training data, seed, training progress, fine-tuning). Tiny on purpose, so the
/// whole zoo trains and scores on two CPU cores in well under an hour; the map needs differences between models,
/// not good models. Runs are listed parents first: a fine-tune follows its base.
/// </summary>
public static class ZooRecipe
{
    /// <summary>Every domain of the default text set, by slug: the "all domains" mixture.</summary>
    public static IReadOnlyList<string> AllDomains { get; } = [.. DefaultTextDomains.All.Select(d => d.Slug)];

    private const int ByteContext = 256;   // the scorer reads the first 256 bytes of each text (truncation to max positions)
    private const int BpeContext = 256;    // about 900 bytes of English in GPT-2 BPE tokens
    private const int Steps = 120;
    private const double LearningRate = 5e-3;

    public static IReadOnlyList<ZooModelSpec> Default { get; } = Build();

    private static List<ZooModelSpec> Build()
    {
        var runs = new List<ZooModelSpec>();

        // Families by architecture on the byte tokenizer and all domains: size x seed.
        foreach (var width in new[] { 32, 48, 64 })
        {
            foreach (var seed in new[] { 1, 2 })
            {
                runs.Add(Run("gpt2-bytes", ZooArchitecture.Gpt2, "bytes", width, layers: 2, seed));
                runs.Add(Run("llama-bytes", ZooArchitecture.Llama, "bytes", width, layers: 2, seed));
                runs.Add(Run("neox-bytes", ZooArchitecture.GptNeoX, "bytes", width, layers: 2, seed));
            }
        }
        // Depth as a size axis as well.
        foreach (var seed in new[] { 1, 2 })
        {
            runs.Add(Run("gpt2-bytes", ZooArchitecture.Gpt2, "bytes", 48, layers: 4, seed));
            runs.Add(Run("llama-bytes", ZooArchitecture.Llama, "bytes", 48, layers: 4, seed));
        }

        // The tokenizer axis: GPT-2's BPE kept to 4,096 merges, on gpt2 and llama.
        foreach (var width in new[] { 32, 48, 64 })
        {
            runs.Add(Run("gpt2-bpe4k", ZooArchitecture.Gpt2, "bpe4k", width, layers: 2, seed: 1));
            runs.Add(Run("llama-bpe4k", ZooArchitecture.Llama, "bpe4k", width, layers: 2, seed: 1));
        }

        // Checkpoints along one training run (every 40 steps of 320).
        runs.Add(Run("llama-bytes-run", ZooArchitecture.Llama, "bytes", 48, layers: 2, seed: 7) with
        {
            Name = "llama-bytes-run-d48",
            Steps = 320,
            SavedSteps = [40, 80, 120, 160, 200, 240, 280, 320],
        });

        // The data axis: the same gpt2 trained on one domain only.
        foreach (var domain in DefaultTextDomains.All)
        {
            runs.Add(Run("gpt2-bytes-one-domain", ZooArchitecture.Gpt2, "bytes", 48, layers: 2, seed: 1) with
            {
                Name = $"gpt2-bytes-d48-only-{domain.Slug}",
                Mixture = [domain.Slug],
            });
        }

        // Fine-tunes of one base (gpt2-bytes d48 seed 1) on one domain each, at a lower rate.
        var baseName = Name("gpt2-bytes", 48, 2, 1);
        foreach (var domain in DefaultTextDomains.All)
        {
            runs.Add(Run("gpt2-bytes-fine-tuned", ZooArchitecture.Gpt2, "bytes", 48, layers: 2, seed: 1) with
            {
                Name = $"{baseName}-ft-{domain.Slug}",
                Mixture = [domain.Slug],
                Steps = 60,
                LearningRate = LearningRate / 3,
                Parent = baseName,
            });
        }

        // "Try uploading this" samples, kept out of the map: a third seed of four families.
        runs.Add(Run("gpt2-bytes", ZooArchitecture.Gpt2, "bytes", 48, layers: 2, seed: 3) with { InMap = false });
        runs.Add(Run("llama-bytes", ZooArchitecture.Llama, "bytes", 48, layers: 2, seed: 3) with { InMap = false });
        runs.Add(Run("neox-bytes", ZooArchitecture.GptNeoX, "bytes", 48, layers: 2, seed: 3) with { InMap = false });
        runs.Add(Run("gpt2-bpe4k", ZooArchitecture.Gpt2, "bpe4k", 48, layers: 2, seed: 3) with { InMap = false });
        return runs;
    }

    private static string Name(string family, int width, int layers, int seed) =>
        $"{family}-d{width}-l{layers}-s{seed}";

    private static ZooModelSpec Run(string family, ZooArchitecture architecture, string tokenizer, int width, int layers, int seed) =>
        new(
            Name: Name(family, width, layers, seed),
            Family: family,
            Architecture: architecture,
            Tokenizer: tokenizer,
            Width: width,
            Layers: layers,
            Heads: width / 16,
            Context: tokenizer == "bytes" ? ByteContext : BpeContext,
            Mixture: AllDomains,
            Seed: seed,
            Steps: Steps,
            LearningRate: LearningRate);
}
