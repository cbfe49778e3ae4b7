using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Scoring;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// Configs saved by transformers 5 carry the rotary settings in <c>rope_parameters</c> instead of <c>rope_theta</c> and
/// <c>rope_scaling</c>. A fixture's config rewritten into that form must score as the reference computed from the
/// original keys: a base or scaling read wrongly (or silently defaulted) moves these scores far past 1e-4.
/// </summary>
public class RopeParametersTests
{
    private static readonly string Architectures = Path.Combine(AppContext.BaseDirectory, "TestData", "architectures");

    public static TheoryData<string, string, string> Rewrites => new()
    {
        // Llama 3's banded scaling and a base of 500,000, both only in rope_parameters.
        { "scoring-extra", "llama-rope-llama3",
          """{"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}""" },
        // Gemma 3 nests one object per layer type: linear scaling and base 1e6 globally, base 1e4 on sliding layers.
        { "architectures", "gemma3-sharded",
          """{"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0}, "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}}""" },
        // Phi-3's LongRoPE, with original_max_position_embeddings moved inside as transformers 5 writes it.
        { "architectures", "phi3-longrope-sharded",
          """{"rope_type": "longrope", "rope_theta": 10000.0, "short_factor": [1.0, 1.1, 1.6, 2.5], "long_factor": [1.3, 2.0, 5.0, 12.0], "original_max_position_embeddings": 64}""" },
    };

    [Theory]
    [MemberData(nameof(Rewrites))]
    public async Task A_config_in_transformers_5_form_scores_as_the_reference(string set, string name, string ropeParameters)
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "TestData", set);
        using var folder = new TemporaryCopy(Path.Combine(fixtures, name));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "config.json")))!.AsObject();
        foreach (var key in new[] { "rope_theta", "rope_scaling", "rope_local_base_freq", "original_max_position_embeddings" })
            config.Remove(key);
        config["rope_parameters"] = JsonNode.Parse(ropeParameters);
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), config.ToJsonString());

        var texts = ScoringTestData.TokenIds(fixtures, name);
        using var scorer = LogLikelihoodScorer.Load(folder.Path, new ScoringOptions());
        var scores = await scorer.ScoreAsync(texts, progress: null, CancellationToken.None);

        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(fixtures, name), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
    }

    [Fact]
    public void A_base_given_both_ways_must_agree()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Architectures, "qwen3-bf16", "config.json")))!.AsObject();
        config["rope_theta"] = 10000.0;
        config["rope_parameters"] = JsonNode.Parse("""{"rope_type": "default", "rope_theta": 1000000.0}""");

        var error = Assert.Throws<CheckpointException>(() => ModelRegistry.Create(config).Dispose());

        Assert.Contains("'rope_theta' is 10000 but 'rope_parameters' says 1000000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_base_given_both_ways_is_accepted()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Architectures, "qwen3-bf16", "config.json")))!.AsObject();
        config["rope_parameters"] = JsonNode.Parse($$"""{"rope_type": "default", "rope_theta": {{config["rope_theta"]!.GetValue<double>():R}}}""");

        ModelRegistry.Create(config).Dispose();
    }

    /// <summary>A copy of a fixture folder that the test may change.</summary>
    private sealed class TemporaryCopy : IDisposable
    {
        public TemporaryCopy(string source)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rope-parameters-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
            foreach (var file in Directory.GetFiles(source))
                File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
