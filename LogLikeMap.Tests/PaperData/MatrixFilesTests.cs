using LogLikeMap.Core.Formats;

namespace LogLikeMap.Tests.PaperData;

public class MatrixFilesTests
{
    [Fact]
    public void ReadsCsvWithTextIndicesAndQuotedNames()
    {
        using var temp = new TempFolder();
        var path = temp.Write("m.csv", "model,5,7,9\n\"org/a,b\",-1.5,-2,-3e2\nplain,-4,-5.25,-6\n");

        var loaded = MatrixFiles.Load(path, CancellationToken.None);

        Assert.Equal(["org/a,b", "plain"], loaded.Matrix.ModelNames);
        Assert.Equal([5L, 7, 9], loaded.TextIndices);
        Assert.Equal([-1.5, -2, -300, -4, -5.25, -6], loaded.Matrix.Values.ToArray());
    }

    [Theory]
    [InlineData("model,0,1\na,-1,-2\na,-3,-4\n", "line 3: model 'a' appears twice (first on line 2)")]
    [InlineData("model,0,1\na,-1\n", "line 2 (model 'a'): 1 values, the header names 2 texts")]
    [InlineData("model,0,1\na,-1,NaN\n", "line 2 (model 'a'), text index 1: 'NaN' is not a finite number")]
    [InlineData("model,0,1\na,-1,-inf\n", "line 2 (model 'a'), text index 1: '-inf' is not a finite number")]
    [InlineData("model,0,1\na,-1,abc\n", "line 2 (model 'a'), text index 1: 'abc' is not a finite number")]
    [InlineData("name,0,1\na,-1,-2\n", "line 1: the header must be")]
    [InlineData("model,0,x\na,-1,-2\n", "line 1, column 3: 'x' is not a text index")]
    [InlineData("model,0,0\na,-1,-2\n", "text index 0 appears twice")]
    public void RefusesMalformedCsvNamingTheLine(string csv, string expected)
    {
        using var temp = new TempFolder();
        var path = temp.Write("bad.csv", csv);

        var ex = Assert.Throws<InvalidDataException>(() => MatrixFiles.Read(path, CancellationToken.None));

        Assert.Contains(expected, ex.Message);
        Assert.Contains("bad.csv", ex.Message);
    }

    [Fact]
    public void ReadsAResultsFolderSortedByIndexWithTokenCounts()
    {
        using var temp = new TempFolder();
        // Lines out of order and an extra field, as the paper's files may have (token-log-probs).
        temp.Write("r/org__b.jsonl", "{\"index\": 1, \"num-tokens\": 20, \"log-likelihood\": -2.5}\n{\"index\": 0, \"num-tokens\": 10, \"log-likelihood\": -1.5, \"token-log-probs\": [-0.5, -1.0]}\n");
        temp.Write("r/a.jsonl", "{\"index\": 0, \"num-tokens\": 11, \"log-likelihood\": -3}\n{\"index\": 1, \"num-tokens\": 21, \"log-likelihood\": -4}\n");

        var loaded = MatrixFiles.Load(temp.FilePath("r"), CancellationToken.None);

        Assert.Equal(["a", "org/b"], loaded.Matrix.ModelNames);
        Assert.Equal([0L, 1], loaded.TextIndices);
        Assert.Equal([-3, -4, -1.5, -2.5], loaded.Matrix.Values.ToArray());
        Assert.Equal([10, 20], loaded.TokenCounts["org/b"]);
    }

    [Theory]
    [InlineData("{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n{\"index\": 1, \"num-tokens\": 1, \"log-likelihood\": NaN}\n", "b.jsonl, line 2: not a valid results line")]
    [InlineData("{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n{\"index\": 1, \"num-tokens\": 1}\n", "b.jsonl, line 2: a results line needs")]
    [InlineData("{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n", "b.jsonl, line 2: text index 0 appears twice")]
    [InlineData("{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n", "Model 'b' (")]
    [InlineData("{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n{\"index\": 2, \"num-tokens\": 1, \"log-likelihood\": -1}\n", "Model 'b' (")]
    [InlineData("{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n{\"index\": 1, \"num-tokens\": 1, \"log-likelihood\": 1e999}\n", "b.jsonl, line 2")]
    public void RefusesMalformedResultsNamingTheModelOrLine(string secondModel, string expected)
    {
        using var temp = new TempFolder();
        temp.Write("r/a.jsonl", "{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n{\"index\": 1, \"num-tokens\": 1, \"log-likelihood\": -1}\n");
        temp.Write("r/b.jsonl", secondModel);

        var ex = Assert.Throws<InvalidDataException>(() => MatrixFiles.Read(temp.FilePath("r"), CancellationToken.None));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void ReadsTheJsonMatrixForm()
    {
        using var temp = new TempFolder();
        var path = temp.Write("m.json", "{\"models\": [\"a\", \"b\"], \"text_indices\": [3, 4], \"values\": [[-1, -2], [-3.5, -4]]}");

        var loaded = MatrixFiles.Load(path, CancellationToken.None);

        Assert.Equal(["a", "b"], loaded.Matrix.ModelNames);
        Assert.Equal([3L, 4], loaded.TextIndices);
        Assert.Equal([-1, -2, -3.5, -4], loaded.Matrix.Values.ToArray());
    }

    [Fact]
    public void RefusesDuplicateNamesInJson()
    {
        using var temp = new TempFolder();
        var path = temp.Write("m.json", "{\"models\": [\"a\", \"a\"], \"text_indices\": [0], \"values\": [[-1], [-3]]}");

        var ex = Assert.Throws<InvalidDataException>(() => MatrixFiles.Read(path, CancellationToken.None));

        Assert.Contains("'a' appears twice", ex.Message);
    }

    [Fact]
    public void RefusesUnknownFormats()
    {
        using var temp = new TempFolder();
        var path = temp.Write("m.txt", "x");

        var ex = Assert.Throws<InvalidDataException>(() => MatrixFiles.Read(path, CancellationToken.None));

        Assert.Contains("unknown matrix format '.txt'", ex.Message);
    }
}
