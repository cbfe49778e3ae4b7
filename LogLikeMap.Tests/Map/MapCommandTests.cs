using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Map;

public sealed class MapCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loglikemap-map-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task WritesLayoutNeighboursAndSummaryForACsvMatrix()
    {
        var (matrix, _) = ClusteredModels.Create(families: 3, perFamily: 12, texts: 50, seed: 21);
        // One name with a comma and a quote, which the CSV outputs must quote.
        var names = matrix.ModelNames.Select((n, i) => i == 0 ? "org/odd,\"name\"" : n).ToArray();
        var csv = Path.Combine(_folder, "matrix.csv");
        var text = new StringBuilder("model," + string.Join(',', Enumerable.Range(0, matrix.TextCount)) + "\n");
        for (var i = 0; i < matrix.ModelCount; i++)
            text.Append(i == 0 ? "\"org/odd,\"\"name\"\"\"" : names[i]).Append(',').AppendJoin(',', matrix.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        await File.WriteAllTextAsync(csv, text.ToString());
        var output = Path.Combine(_folder, "out");

        var exit = await Invoke("map", "--loglik", csv, "--out", output, "--neighbours", "3", "--perplexity", "5", "--clip-percentile", "0");

        Assert.Equal(0, exit);
        var layout = await File.ReadAllLinesAsync(Path.Combine(output, "layout.csv"));
        Assert.Equal("model,x,y,provisional", layout[0]);
        Assert.Equal(matrix.ModelCount + 1, layout.Length);
        Assert.StartsWith("\"org/odd,\"\"name\"\"\",", layout[1], StringComparison.Ordinal);

        var neighbours = await File.ReadAllLinesAsync(Path.Combine(output, "neighbours.csv"));
        Assert.Equal("model,rank,neighbour,kl_nats,kl_bits_per_byte", neighbours[0]);
        Assert.Equal(matrix.ModelCount * 3 + 1, neighbours.Length);
        // Model 5's nearest neighbour and its KL, against N Var(L_5 - L_j) / 2N by brute force.
        var (nearest, kl) = Enumerable.Range(0, matrix.ModelCount).Where(j => j != 5)
            .Select(j => (j, PopulationVariance(matrix.Row(5).ToArray(), matrix.Row(j).ToArray()) / 2))
            .MinBy(x => x.Item2);
        var row = neighbours.Single(l => l.StartsWith(names[5] + ",1,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(names[nearest], row[2]);
        Assert.Equal(kl, double.Parse(row[3], CultureInfo.InvariantCulture), kl * 1e-10);

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json")));
        Assert.Equal(matrix.ModelCount, summary.RootElement.GetProperty("models").GetInt32());
        Assert.Equal(matrix.TextCount, summary.RootElement.GetProperty("texts").GetInt32());
        Assert.Equal(matrix.Values.ToArray().Min(), summary.RootElement.GetProperty("clip_threshold").GetDouble());
        Assert.True(summary.RootElement.GetProperty("seconds").GetProperty("layout").GetDouble() > 0);
    }

    [Fact]
    public async Task AMissingMatrixIsRefusedWithItsPath()
    {
        var error = new StringWriter();
        var missing = Path.Combine(_folder, "nope.csv");
        var originalError = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await Invoke("map", "--loglik", missing, "--out", Path.Combine(_folder, "out")));
        }
        finally
        {
            Console.SetError(originalError);
        }

        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("map", "--clip-percentile")]
    [InlineData("bench", "map")]
    [InlineData("bench map", "--models")]
    public async Task HelpWorksOnEveryVerb(string verb, string mentioned)
    {
        var output = new StringWriter();
        var root = Root();
        var exit = await root.Parse([.. verb.Split(' '), "--help"]).InvokeAsync(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains(mentioned, output.ToString(), StringComparison.Ordinal);
    }

    private static double PopulationVariance(double[] a, double[] b)
    {
        var diff = a.Zip(b, (x, y) => x - y).ToArray();
        var mean = diff.Average();
        return diff.Sum(d => (d - mean) * (d - mean)) / diff.Length;
    }

    private static Task<int> Invoke(params string[] args) => Root().Parse(args).InvokeAsync();

    private static RootCommand Root()
    {
        var root = new RootCommand();
        root.Subcommands.Add(MapCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
