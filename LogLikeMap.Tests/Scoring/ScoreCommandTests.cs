using System.Buffers.Binary;
using System.CommandLine;
using System.Text.Json.Nodes;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Core.Formats;
using HandWrittenSafetensors = LogLikeMap.Tests.Checkpoints.SafetensorsWriter;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// <c>loglikemap score</c> end to end: folder and texts in, the paper's results out, through the checkpoint's own
/// tokenizer; a checkpoint that cannot be loaded leaves no results file.
/// </summary>
public sealed class ScoreCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loglikemap-score-" + Guid.NewGuid().ToString("N"));

    public ScoreCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        if (Directory.Exists(_folder + "-models"))
            Directory.Delete(_folder + "-models", recursive: true);
    }

    [Fact]
    public async Task Scoring_a_fixture_folder_gives_the_reference_token_counts_and_log_likelihoods()
    {
        var texts = Path.Combine(_folder, "texts.jsonl");
        File.WriteAllLines(texts, File.ReadLines(Path.Combine(ScoringTestData.Fixtures, "texts.jsonl")).Take(5));
        var output = Path.Combine(_folder, "results.jsonl");

        var exit = await Run("--model", Path.Combine(ScoringTestData.Fixtures, "llama-spm"), "--texts", texts, "--out", output);

        Assert.Equal(0, exit);
        var scores = ResultsFile.Read(output, CancellationToken.None);
        var reference = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "llama-spm").Take(5).ToArray();
        Assert.Equal(reference.Select(t => t.Ids.Count), scores.Select(s => s.TokenCount));
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, "llama-spm").Take(5).ToArray(),
            scores.Select(s => s.LogLikelihood).ToArray(),
            1e-4);
    }

    /// <summary>
    /// Each hostile or broken copy of gpt2-tiny is refused before the results file is created: exit code 2, a message
    /// naming the fault, no output file.
    /// </summary>
    [Theory]
    [InlineData("unknown architecture", "'t5' is not supported. Supported: ")]
    [InlineData("truncated weights", "tensor 'transformer.wte.weight' spans bytes 182016..3398464 of the data section, which has only 3397464 bytes. The file is truncated")]
    [InlineData("huge header length", "the header length is 1099511627776 bytes, over the 100000000-byte limit")]
    [InlineData("offsets past the end", "tensor 'transformer.wte.weight' spans bytes 182080..3398528 of the data section, which has only 3398464 bytes")]
    [InlineData("missing tensor", "lacks 1 tensor(s) that a gpt2 model with this config.json needs: transformer.h.1.mlp.c_fc.bias.")]
    [InlineData("wrong shape", "the tensor 'transformer.h.0.mlp.c_fc.weight' has shape [128, 32], but this config.json (gpt2) needs [32, 128]")]
    [InlineData("missing tokenizer", "has no tokenizer: expected tokenizer.json, or vocab.json + merges.txt")]
    public async Task A_broken_checkpoint_fails_with_its_fault_named_and_no_results_file(string fault, string expected)
    {
        var model = CopyOfFixture("gpt2-tiny");
        Break(model, fault);
        var output = Path.Combine(_folder, "results.jsonl");
        var error = new StringWriter();

        var exit = await Run(error, "--model", model, "--texts", Path.Combine(ScoringTestData.Fixtures, "texts.jsonl"), "--out", output);

        Assert.Equal(2, exit);
        Assert.Contains("Cannot score: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Another_models_tokenizer_is_refused_before_any_results_file_is_written()
    {
        // llama-spm's weights (a 32000-token vocabulary) with GPT-2's vocab.json + merges.txt (50257 tokens).
        var model = CopyOfFixture("llama-spm");
        File.Delete(Path.Combine(model, "tokenizer.json"));
        File.Delete(Path.Combine(model, "tokenizer_config.json"));
        foreach (var file in new[] { "vocab.json", "merges.txt" })
            File.Copy(Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny", file), Path.Combine(model, file));
        // The oracle: Hugging Face's GPT-2 ids of the texts; the first id the 32000-token embedding cannot look up.
        var (index, id) = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "gpt2-tiny")
            .SelectMany(t => t.Ids.Where(i => i >= 32000).Select(i => (t.Index, Id: i)))
            .First();
        var output = Path.Combine(_folder, "results.jsonl");
        var error = new StringWriter();

        var exit = await Run(error, "--model", model, "--texts", Path.Combine(ScoringTestData.Fixtures, "texts.jsonl"), "--out", output);

        Assert.Equal(2, exit);
        Assert.Contains($"Text {index} has token id {id}, but the model's vocabulary has 32000 entries", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("the tokenizer does not belong to this model", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Scoring_another_checkpoint_into_the_same_out_is_refused_and_keeps_the_first_scores()
    {
        // gpt2-tiny and neox-tiny share GPT-2's tokenizer, so their results have the same indexes and token counts.
        var texts = Path.Combine(_folder, "texts.jsonl");
        File.WriteAllLines(texts, File.ReadLines(Path.Combine(ScoringTestData.Fixtures, "texts.jsonl")).Take(3));
        var output = Path.Combine(_folder, "results.jsonl");
        Assert.Equal(0, await Run("--model", Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny"), "--texts", texts, "--out", output));
        var first = File.ReadAllBytes(output);

        var exit = await Run("--model", Path.Combine(ScoringTestData.Fixtures, "neox-tiny"), "--texts", texts, "--out", output);

        Assert.Equal(2, exit);
        Assert.Equal(first, File.ReadAllBytes(output));
        Assert.Equal(0, await Run("--model", Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny"), "--texts", texts, "--out", output));
        Assert.Equal(first, File.ReadAllBytes(output));
    }

    private static Task<int> Run(params string[] args) => Run(new StringWriter(), args);

    private static Task<int> Run(TextWriter error, params string[] args) =>
        ScoreCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Error = error });

    /// <summary>A copy of a fixture's checkpoint folder, outside the folder the results are written to.</summary>
    private string CopyOfFixture(string name)
    {
        var copy = Path.Combine(_folder + "-models", name);
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Path.Combine(ScoringTestData.Fixtures, name)))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    /// <summary>Breaks a copy of gpt2-tiny in one way (its weights are one model.safetensors whose header is known, README.md).</summary>
    private static void Break(string model, string fault)
    {
        var weights = Path.Combine(model, CheckpointWeights.SingleFileName);
        var bytes = File.ReadAllBytes(weights);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        var data = bytes[(8 + headerLength)..];
        switch (fault)
        {
            case "unknown architecture":
                var config = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "config.json")))!.AsObject();
                config["model_type"] = "t5";
                File.WriteAllText(Path.Combine(model, "config.json"), config.ToJsonString());
                break;
            case "truncated weights":
                // An interrupted download: the last 1000 bytes never arrived.
                File.WriteAllBytes(weights, bytes[..^1000]);
                break;
            case "huge header length":
                File.WriteAllBytes(weights, HandWrittenSafetensors.Bytes(header.ToJsonString(), data, declaredHeaderLength: 1UL << 40));
                break;
            case "offsets past the end":
                header["transformer.wte.weight"]!["data_offsets"] = new JsonArray(182080, 3398528);
                File.WriteAllBytes(weights, HandWrittenSafetensors.Bytes(header.ToJsonString(), data));
                break;
            case "missing tensor":
                // Renamed rather than removed, so the file stays valid safetensors and only the model misses it.
                var bias = header["transformer.h.1.mlp.c_fc.bias"]!.DeepClone();
                header.Remove("transformer.h.1.mlp.c_fc.bias");
                header["transformer.h.1.mlp.c_fc.misnamed"] = bias;
                File.WriteAllBytes(weights, HandWrittenSafetensors.Bytes(header.ToJsonString(), data));
                break;
            case "wrong shape":
                // [32, 128] read as [128, 32]: the same bytes, so only the model's shape check can tell.
                header["transformer.h.0.mlp.c_fc.weight"]!["shape"] = new JsonArray(128, 32);
                File.WriteAllBytes(weights, HandWrittenSafetensors.Bytes(header.ToJsonString(), data));
                break;
            case "missing tokenizer":
                File.Delete(Path.Combine(model, "vocab.json"));
                File.Delete(Path.Combine(model, "merges.txt"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "No such fault.");
        }
    }
}
