using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Scoring;
using LogLikeMap.Lab.Zoo;

namespace LogLikeMap.Tests.Zoo;

/// <summary>
/// CI never retrains the zoo: it trains one tiny model for a few steps on a text whose next byte is certain
/// ("abab..."), saves it in Hugging Face layout, and loads it back through the scorer as an upload would be.
/// The oracle is closed-form: a model that learned the pattern scores each byte far above the uniform
/// ln(1/257) = -5.549 nats and its samples alternate a and b far more often than chance.
/// </summary>
public sealed class ZooTrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llm-zoo-train-" + Guid.NewGuid().ToString("N"));

    public ZooTrainingTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ZooModelSpec Spec(ZooArchitecture architecture) => new(
        Name: $"tiny-{architecture}", Family: "tiny", Architecture: architecture, Tokenizer: "bytes",
        Width: 16, Layers: 1, Heads: 2, Context: 32, Mixture: ["ab"], Seed: 1, Steps: 100, LearningRate: 1e-2);

    private async Task<TrainingCorpus> AbCorpusAsync()
    {
        var corpusFolder = Path.Combine(_folder, "corpus");
        var documents = Enumerable.Range(0, 4).Select(d => new SourceDocument("ab", $"doc{d}", string.Concat(Enumerable.Repeat("ab", 500))));
        await TrainingCorpus.WriteDomainAsync(corpusFolder, "ab", documents, CancellationToken.None);
        return TrainingCorpus.Load(corpusFolder, ["ab"], ZooTokenizer.Bytes.Encode, ZooTokenizer.Bytes.EndOfTextId);
    }

    [Theory]
    [InlineData(ZooArchitecture.Gpt2)]
    [InlineData(ZooArchitecture.Llama)]
    [InlineData(ZooArchitecture.GptNeoX)]
    public async Task A_model_trained_for_a_few_steps_saves_loads_and_scores_like_an_upload(ZooArchitecture architecture)
    {
        var spec = Spec(architecture);
        var corpus = await AbCorpusAsync();
        var zoo = Path.Combine(_folder, "zoo");

        ZooTrainer.Train(spec, ZooTokenizer.Bytes, corpus, zoo, null, new TrainingOptions(BatchSize: 4, Threads: 1), null, CancellationToken.None);

        var checkpoint = Path.Combine(zoo, spec.Name);
        foreach (var file in new[] { "config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(checkpoint, file)), $"{file} is missing from the saved checkpoint");
        Assert.Empty(Directory.GetDirectories(zoo, ".*partial*"));

        var text = string.Concat(Enumerable.Repeat("ab", 16));  // 32 bytes, 31 of them scored
        var ids = HfTokenizer.Load(checkpoint).EncodeWithSpecialTokens(text);
        Assert.Equal(ZooTokenizer.Bytes.Encode(text), ids);

        using var scorer = LogLikelihoodScorer.Load(checkpoint, new ScoringOptions(Threads: 1));
        var scores = await scorer.ScoreAsync([new TokenizedText(0, ids)], null, CancellationToken.None);
        var perByte = scores.Single().LogLikelihood / 31;
        Assert.InRange(perByte, -1.0, 0.0);  // uniform would be -5.549
    }

    [Fact]
    public async Task Samples_of_a_model_that_learned_abab_continue_the_pattern()
    {
        var spec = Spec(ZooArchitecture.Llama);
        var zoo = Path.Combine(_folder, "zoo");
        ZooTrainer.Train(spec, ZooTokenizer.Bytes, await AbCorpusAsync(), zoo, null, new TrainingOptions(BatchSize: 4, Threads: 1), null, CancellationToken.None);
        int a = ZooTokenizer.Bytes.Encode("a")[0], b = ZooTokenizer.Bytes.Encode("b")[0];

        var samples = TextGeneration.Sample(Path.Combine(zoo, spec.Name), [a, b, a, b], length: 24, seed: 5, CancellationToken.None);

        Assert.Equal(4, samples.Count);
        Assert.All(samples, sample => Assert.Equal(24, sample.Length));
        Assert.Equal([a, b, a, b], samples.Select(sample => sample[0]));
        var transitions = samples.SelectMany(s => s.Zip(s.Skip(1))).ToList();
        var alternating = transitions.Count(t => (t.First == a && t.Second == b) || (t.First == b && t.Second == a));
        // Uniform sampling would alternate 2 times in 257; a model that learned the pattern mostly does.
        Assert.True(alternating >= 0.5 * transitions.Count, $"{alternating} of {transitions.Count} transitions alternate a and b");
        Assert.Equal(samples, TextGeneration.Sample(Path.Combine(zoo, spec.Name), [a, b, a, b], length: 24, seed: 5, CancellationToken.None));
    }

    [Fact]
    public async Task A_fine_tune_starts_from_its_parents_weights()
    {
        var corpus = await AbCorpusAsync();
        var zoo = Path.Combine(_folder, "zoo");
        var parent = Spec(ZooArchitecture.Gpt2);
        ZooTrainer.Train(parent, ZooTokenizer.Bytes, corpus, zoo, null, new TrainingOptions(BatchSize: 4, Threads: 1), null, CancellationToken.None);

        // One step at a learning rate of zero leaves the parent's weights unchanged: the child equals the parent.
        var child = parent with { Name = "tiny-child", Steps = 1, LearningRate = 0, Parent = parent.Name };
        ZooTrainer.Train(child, ZooTokenizer.Bytes, corpus, zoo, Path.Combine(zoo, parent.Name), new TrainingOptions(BatchSize: 4, Threads: 1), null, CancellationToken.None);

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(zoo, parent.Name, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(zoo, child.Name, "model.safetensors")));
    }

    [Fact]
    public void The_zoo_tokenizer_files_load_through_the_projects_tokenizer_with_the_same_ids()
    {
        var bpe = ZooTokenizer.FromGpt2("bpe4k", Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"), 4096);
        var checkpoint = Path.Combine(_folder, "bpe4k");
        HfCheckpointWriter.Write(checkpoint, new HfCheckpoint(new System.Text.Json.Nodes.JsonObject { ["model_type"] = "gpt2" }, [], bpe.Files(256)));

        const string text = "Fellow-Citizens of the Senate: function(x) { return x ** 2; } — naïve café\n\n  done.";
        Assert.Equal(bpe.Encode(text), HfTokenizer.Load(checkpoint).EncodeWithSpecialTokens(text));
    }

    [Fact]
    public async Task An_instruction_stream_holds_only_its_own_domains_documents_in_the_template()
    {
        // Two domains of letters the template never uses: windows of qz's instruction stream must show q and z inside
        // the template and never a v or w (the other domain's letters).
        var corpusFolder = Path.Combine(_folder, "corpus");
        foreach (var (slug, text) in new[] { ("qz", "qz"), ("vw", "vw") })
            await TrainingCorpus.WriteDomainAsync(corpusFolder, slug, [new SourceDocument(slug, "doc", string.Concat(Enumerable.Repeat(text, 600)))], CancellationToken.None);
        var corpus = TrainingCorpus.Load(corpusFolder, ["qz", "vw"], ZooTokenizer.Bytes.Encode, ZooTokenizer.Bytes.EndOfTextId);

        var windows = corpus.SampleWindows(new Random(1), [TrainingCorpus.InstructionsOf("qz")], batchSize: 64, context: 32);
        var seen = windows.Select(id => (int)id).ToHashSet();
        int Id(string symbol) => Assert.Single(ZooTokenizer.Bytes.Encode(symbol));

        Assert.Contains(Id("q"), seen);
        Assert.Contains(Id("#"), seen);
        Assert.DoesNotContain(Id("v"), seen);
        Assert.DoesNotContain(Id("w"), seen);
    }
}
