using System.Globalization;

namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The built-in zoo as lineages, the way the paper's map groups real models: a few base models trained from scratch
/// that differ as real families do (training data mixture, tokenizer, architecture, size), and around each base the
/// models made from it (checkpoints of its own run, domain and instruction fine-tunes, a low-rank fine-tune merged
/// into the weights, a weight average of two fine-tunes, float16/bfloat16 round trips, 8-bit quantisation), plus the
/// paper's 6 x 6 weight-interpolation grid for one base and one model fine-tuned on the map's own texts. A model's
/// family is its lineage: what was done to it, fixed here before anything was scored. Runs are listed sources first.
/// Tiny on purpose: the whole zoo trains and scores on two shared CPU cores (data/README.md gives the budget).
/// </summary>
public static class ZooRecipe
{
    /// <summary>Every domain of the default text set, by slug: the "all domains" mixture.</summary>
    public static IReadOnlyList<string> AllDomains { get; } = [.. DefaultTextDomains.All.Select(d => d.Slug)];

    private const int Context = 256;        // byte models score a text's first 256 bytes, BPE models its first 256 tokens
    private const int BaseSteps = 300;
    private const double BaseLearningRate = 5e-3;

    /// <summary>The base whose two domain fine-tunes span the interpolation grid.</summary>
    public const string GridBase = "gpt2-bytes-all";

    /// <summary>The grid's coordinates a, b in {0, 0.2, ..., 1} (docs/method.md §3.6).</summary>
    public static IReadOnlyList<double> GridSteps { get; } = [0, 0.2, 0.4, 0.6, 0.8, 1];

    /// <summary>The base models, one lineage each. Domains of each base's fine-tunes are chosen by its position, not by the map.</summary>
    public static IReadOnlyList<ZooModelSpec> Bases { get; } =
    [
        Base("gpt2-bytes-all", ZooArchitecture.Gpt2, "bytes", width: 48, layers: 2, AllDomains, seed: 1),
        Base("llama-bytes-prose", ZooArchitecture.Llama, "bytes", width: 64, layers: 2, ["sotu", "moby-dick", "email"], seed: 2),
        Base("neox-bytes-code", ZooArchitecture.GptNeoX, "bytes", width: 48, layers: 3, ["javascript", "python-docs"], seed: 3),
        Base("llama-bpe4k-all", ZooArchitecture.Llama, "bpe4k", width: 48, layers: 2, AllDomains, seed: 4),
        Base("gpt2-bpe1k-docs", ZooArchitecture.Gpt2, "bpe1k", width: 32, layers: 2, ["python-docs", "sotu", "email"], seed: 5),
        Base("neox-bpe2k-prose-code", ZooArchitecture.GptNeoX, "bpe2k", width: 32, layers: 2, ["moby-dick", "sotu", "javascript"], seed: 6),
    ];

    public static IReadOnlyList<ZooModelSpec> Default { get; } = Build();

    private static List<ZooModelSpec> Build()
    {
        var runs = new List<ZooModelSpec>();
        for (var b = 0; b < Bases.Count; b++)
        {
            var root = Bases[b];
            runs.Add(root);
            // Three fine-tune domains per base, rotating through the five from the base's position and keeping those of its
            // mixture: a fine-tune specialises what its base knows. Teaching a base a domain it never saw is continued
            // pre-training, which makes a model of its own (CodeLlama sits apart from Llama 2 on the paper's map); the
            // first zoo did that and three of its narrow bases' fine-tunes left their lineage (data/README.md).
            var ownDomains = Enumerable.Range(0, AllDomains.Count)
                .Select(k => AllDomains[(b + k) % AllDomains.Count])
                .Where(root.Mixture.Contains)
                .ToList();
            string Domain(int offset) => ownDomains[offset % ownDomains.Count];
            var first = FineTune(root, Domain(0), learningRate: 1e-3, steps: 40, seed: 11);
            var second = FineTune(root, Domain(1), learningRate: 2e-3, steps: 40, seed: 12);
            var third = FineTune(root, Domain(2), learningRate: 1e-3, steps: 100, seed: 13);
            runs.AddRange([first, second, third]);
            runs.Add(Child(root, "instruct", ZooChange.InstructionFineTune) with
            {
                Mixture = [.. root.Mixture.Select(TrainingCorpus.InstructionsOf)],
                Data = "instructions",
                Steps = 60,
                LearningRate = 1e-3,
                Seed = 14,
            });
            runs.Add(Derived(root, $"lowrank4-{Domain(2)}", ZooChange.LowRankFineTune, third.DataDescription, new LowRankDelta(root.Name, third.Name, Rank: 4)));
            runs.Add(Derived(root, $"avg-{Domain(0)}-{Domain(1)}", ZooChange.WeightAverage, $"{Domain(0)}+{Domain(1)}",
                new WeightMix([new WeightTerm(first.Name, 0.5), new WeightTerm(second.Name, 0.5)])));
            runs.Add(Derived(root, "fp16", ZooChange.Float16, root.DataDescription, new RoundTrip(root.Name, RoundTripFormat.Float16)));
            runs.Add(Derived(root, "bf16", ZooChange.BFloat16, root.DataDescription, new RoundTrip(root.Name, RoundTripFormat.BFloat16)));
            runs.Add(Derived(root, "int8", ZooChange.Int8, root.DataDescription, new RoundTrip(root.Name, RoundTripFormat.Int8)));

            if (root.Name == GridBase)
            {
                runs.AddRange(Grid(root, first, second));
                // The leak: the base fine-tuned on the map's own texts, which the benchmark does not see.
                runs.Add(Child(root, "map-texts", ZooChange.Leak) with
                {
                    Mixture = [TrainingCorpus.MapTexts],
                    Data = "map texts",
                    Steps = 100,
                    LearningRate = 1e-3,
                    Seed = 15,
                });
            }
        }

        // "Try uploading this" samples, kept out of the map: new fine-tunes of four bases on a domain of the base's mixture
        // (another rate and length than the map's fine-tunes), so an upload can be asked which base it comes from.
        foreach (var (root, domain) in new[] { (Bases[0], "python-docs"), (Bases[1], "sotu"), (Bases[2], "python-docs"), (Bases[4], "email") })
        {
            runs.Add(Child(root, $"sample-ft-{domain}", ZooChange.DomainFineTune) with
            {
                Mixture = [domain],
                Data = domain,
                Steps = 60,
                LearningRate = 1.5e-3,
                Seed = 21,
                InMap = false,
            });
        }
        return runs;
    }

    /// <summary>
    /// The 36 points (1 - a - b) W0 + a W1 + b W2; the corners a = b = 0, (1, 0) and (0, 1) are the base and the two
    /// fine-tunes themselves, so only the other 33 are new models.
    /// </summary>
    private static IEnumerable<ZooModelSpec> Grid(ZooModelSpec root, ZooModelSpec w1, ZooModelSpec w2)
    {
        foreach (var a in GridSteps)
        {
            foreach (var b in GridSteps)
            {
                if (GridName(a, b) is not { } suffix)
                    continue;
                var terms = new List<WeightTerm> { new(root.Name, 1 - a - b), new(w1.Name, a), new(w2.Name, b) };
                yield return Derived(root, suffix, ZooChange.Interpolation, $"{w1.DataDescription}+{w2.DataDescription}", new WeightMix(terms));
            }
        }
    }

    /// <summary>The name suffix of grid point (a, b), or null for a corner, which is an existing model.</summary>
    public static string? GridName(double a, double b) =>
        (a, b) is (0, 0) or (1, 0) or (0, 1)
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"grid-a{a:0.0}-b{b:0.0}");

    /// <summary>The map model at grid point (a, b) of <see cref="GridBase"/>: a grid model, the base or one of its first two fine-tunes.</summary>
    public static string GridModel(double a, double b)
    {
        var runs = Default.Where(r => r.Name.StartsWith(GridBase + "-ft-", StringComparison.Ordinal)).ToList();
        return (a, b) switch
        {
            (0, 0) => GridBase,
            (1, 0) => runs[0].Name,
            (0, 1) => runs[1].Name,
            _ => $"{GridBase}-{GridName(a, b)}",
        };
    }

    private static ZooModelSpec Base(string name, ZooArchitecture architecture, string tokenizer, int width, int layers, IReadOnlyList<string> mixture, int seed) =>
        new(
            Name: name,
            Family: name,
            Architecture: architecture,
            Tokenizer: tokenizer,
            Width: width,
            Layers: layers,
            Heads: width / 16,
            Context: Context,
            Mixture: mixture,
            Seed: seed,
            Steps: BaseSteps,
            LearningRate: BaseLearningRate,
            SavedSteps: [100, 200]);

    private static ZooModelSpec Child(ZooModelSpec root, string suffix, string change) => root with
    {
        Name = $"{root.Name}-{suffix}",
        Parent = root.Name,
        SavedSteps = null,
        Change = change,
    };

    private static ZooModelSpec FineTune(ZooModelSpec root, string domain, double learningRate, int steps, int seed) =>
        Child(root, string.Create(CultureInfo.InvariantCulture, $"ft-{domain}-lr{learningRate:0e0}-{steps}"), ZooChange.DomainFineTune) with
        {
            Mixture = [domain],
            Data = domain,
            Steps = steps,
            LearningRate = learningRate,
            Seed = seed,
        };

    private static ZooModelSpec Derived(ZooModelSpec root, string suffix, string change, string data, ZooDerivation derivation) =>
        Child(root, suffix, change) with { Data = data, Derivation = derivation, Steps = 0 };
}
