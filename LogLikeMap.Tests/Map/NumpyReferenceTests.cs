using System.Globalization;
using System.Text.Json;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

/// <summary>
/// The engine against numpy + scikit-learn on a fixed 40 x 300 matrix with a heavy lower tail. The expected
/// values were produced once by <c>/usr/bin/python3 bench/map_reference.py fixture
/// LogLikeMap.Tests/TestData/Map/numpy-reference</c> (numpy 1.24.2, scikit-learn 1.2.1) and are stored as test data.
/// </summary>
public class NumpyReferenceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "Map", "numpy-reference");

    [Fact]
    public void ClipThresholdAndColumnMeansEqualNumpys()
    {
        var (matrix, expected) = Load();
        var q = CentredLogLikelihoods.FromMatrix(matrix, clipPercentile: 2);
        Assert.Equal(expected.GetProperty("clip_threshold").GetDouble(), q.ClipThreshold);
        var columnMeans = expected.GetProperty("column_means").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var s = 0; s < columnMeans.Length; s++)
            Assert.Equal(columnMeans[s], q.ColumnMeans[s], Math.Abs(columnMeans[s]) * 1e-12 + 1e-12);
    }

    [Fact]
    public void NeighbourListsAndKlEqualNumpysBruteForceToOneBillionth()
    {
        var (matrix, expected) = Load();
        var map = ModelMapBuilder.Build(matrix, new MapOptions { Tsne = new TsneOptions { Perplexity = 10, Iterations = 50 } }, null, CancellationToken.None);
        var neighbours = expected.GetProperty("neighbours").EnumerateArray().ToArray();
        var kl = expected.GetProperty("kl_nats").EnumerateArray().ToArray();
        for (var i = 0; i < matrix.ModelCount; i++)
        {
            var ours = map.Neighbours[i];
            var theirs = neighbours[i].EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var theirKl = kl[i].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(theirs, ours.Select(n => n.Model).ToArray());
            for (var r = 0; r < theirs.Length; r++)
                Assert.True(Math.Abs(ours[r].KlNats - theirKl[r]) <= 1e-9 * theirKl[r], $"model {i} rank {r + 1}: {ours[r].KlNats} vs numpy {theirKl[r]}");
        }
    }

    [Fact]
    public void ExplainedVarianceRatiosEqualSklearnPca()
    {
        var (matrix, expected) = Load();
        var q = CentredLogLikelihoods.FromMatrix(matrix, clipPercentile: 2);
        var distances = SquaredDistances.Build(q, CancellationToken.None);
        var pca = PrincipalComponents.FromGram(distances.Gram, matrix.ModelCount, 5);
        var sklearn = expected.GetProperty("explained_variance_ratio").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var c = 0; c < sklearn.Length; c++)
            Assert.Equal(sklearn[c], pca.ExplainedVarianceRatio[c], 1e-9);
    }

    private static (LogLikelihoodMatrix Matrix, JsonElement Expected) Load()
    {
        var rows = File.ReadAllLines(Path.Combine(Folder, "matrix.csv"))
            .Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        var names = Enumerable.Range(0, rows.Length).Select(i => $"model-{i}").ToArray();
        var matrix = new LogLikelihoodMatrix(names, rows[0].Length, rows.SelectMany(r => r).ToArray());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        return (matrix, json.RootElement.Clone());
    }
}
