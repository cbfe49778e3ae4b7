using System.Text.Json.Nodes;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.TextSets;

public class TextSetFileTests
{
    [Fact]
    public async Task SampleTextsMatchPythonsCountsHashAndMeanLength()
    {
        // make_fixtures.out.txt: texts.count, texts.mean_bytes, texts.domains, texts.sha256 (hashlib).
        var set = await TextSetFile.ReadAsync(PaperDataFiles.SampleTexts, CancellationToken.None);

        Assert.Equal(500, set.Count);
        Assert.Equal(998.796, set.MeanByteLength, 1e-9);
        Assert.Equal(352, set.Texts.Count(t => t.Domain == "Speeches"));
        Assert.Equal(108, set.Texts.Count(t => t.Domain == "Email"));
        Assert.Equal(40, set.Texts.Count(t => t.Domain == "Novel"));
        Assert.Equal("7da35b298039f59b09aa5a3d610e2c3efa343b1484d95d7aad6ae4103a9b8731", set.ContentHash);
        Assert.Equal(230L, (long)set.Texts[0].ExtraFields!["pile_idx"]!);
    }

    [Fact]
    public async Task WriteThenReadKeepsTextsExtraFieldsAndHash()
    {
        using var temp = new TempFolder();
        var original = await TextSetFile.ReadAsync(PaperDataFiles.SampleTexts, CancellationToken.None);
        var path = temp.FilePath("copy.jsonl");

        await TextSetFile.WriteAsync(path, original.Texts, CancellationToken.None);
        var copy = await TextSetFile.ReadAsync(path, CancellationToken.None);

        Assert.Equal(original.ContentHash, copy.ContentHash);
        Assert.Equal(original.Texts.Select(t => (t.Domain, t.ExtraFields!.ToJsonString())), copy.Texts.Select(t => (t.Domain, t.ExtraFields!.ToJsonString())));
    }

    [Fact]
    public void TheHashDependsOnIndexAndTextOnly()
    {
        var a = new TextSet([new TextRecord(0, "one", "A"), new TextRecord(1, "two", "B")]);
        var sameTextsOtherDomains = new TextSet([new TextRecord(1, "two", "X", new JsonObject { ["k"] = 1 }), new TextRecord(0, "one", null)]);
        var swappedIndices = new TextSet([new TextRecord(1, "one", "A"), new TextRecord(0, "two", "B")]);
        var movedBoundary = new TextSet([new TextRecord(0, "onet", "A"), new TextRecord(1, "wo", "B")]);

        Assert.Equal(a.ContentHash, sameTextsOtherDomains.ContentHash);
        Assert.NotEqual(a.ContentHash, swappedIndices.ContentHash);
        Assert.NotEqual(a.ContentHash, movedBoundary.ContentHash);
    }

    [Theory]
    [InlineData("{\"index\": 0, \"text\": \"a\"}\n{\"index\": 0, \"text\": \"b\"}\n", "line 2: index 0 already appears on line 1")]
    [InlineData("{\"index\": 0, \"text\": \"a\"}\n{\"index\": \"1\", \"text\": \"b\"}\n", "line 2: \"index\" must be an integer")]
    [InlineData("{\"index\": 0, \"text\": \"a\"}\n{\"index\": 1}\n", "line 2: \"text\" must be a string")]
    [InlineData("{\"index\": 0, \"text\": \"a\"}\n{\"index\": 1, \"text\": \"b\"\n", "line 2: not valid JSON")]
    [InlineData("{\"index\": 0, \"text\": \"a\", \"pile_set_name\": 3}\n", "line 1: \"pile_set_name\" must be a string")]
    [InlineData("[1, 2]\n", "line 1: expected a JSON object")]
    public async Task RefusesMalformedLinesNamingTheLine(string content, string expected)
    {
        using var temp = new TempFolder();
        var path = temp.Write("bad.jsonl", content);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => TextSetFile.ReadAsync(path, CancellationToken.None));

        Assert.Contains("bad.jsonl, " + expected, ex.Message);
    }
}
