using System.Text.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// The scoring fixtures (copied from shared/fixtures/scoring and written by tools/make-scoring-fixtures.py): tiny
/// checkpoints with the token ids of each text and reference log-likelihoods from an independent PyTorch forward.
/// </summary>
internal static class ScoringTestData
{
    public static string Fixtures { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "scoring");

    public static string ExtraFixtures { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "scoring-extra");

    /// <summary>NAME.ids.jsonl: one <c>{"index", "ids"}</c> per text.</summary>
    public static IReadOnlyList<TokenizedText> TokenIds(string folder, string name) =>
        File.ReadLines(Path.Combine(folder, name + ".ids.jsonl"))
            .Select(line => JsonNode.Parse(line)!)
            .Select(node => new TokenizedText(
                node["index"]!.GetValue<long>(),
                node["ids"]!.AsArray().Select(id => id!.GetValue<int>()).ToArray()))
            .ToArray();

    /// <summary>NAME.expected.json: the reference log-likelihood of each text, in text order.</summary>
    public static double[] Expected(string folder, string name) =>
        JsonSerializer.Deserialize<double[]>(File.ReadAllText(Path.Combine(folder, name + ".expected.json")))!;

    /// <summary>Asserts |actual - expected| &lt;= tolerance x |expected| for each text, naming the first that fails.</summary>
    public static void AssertRelativelyClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var error = Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), 1e-12);
            Assert.True(error <= tolerance, $"text {i}: {actual[i]} against {expected[i]}, relative error {error:E2} > {tolerance:E0}");
        }
    }
}
