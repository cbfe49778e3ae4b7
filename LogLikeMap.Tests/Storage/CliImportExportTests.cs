using System.CommandLine;
using LogLikeMap.Cli.Commands;
using LogLikeMap.Core.Formats;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Storage;

/// <summary>`loglikemap import` and `loglikemap export` run as a user types them, against a temp SQLite store.</summary>
public class CliImportExportTests
{
    private static Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand { ImportCommand.Create(), ExportCommand.Create() };
        return root.Parse(args).InvokeAsync();
    }

    [Theory]
    [InlineData("import")]
    [InlineData("export")]
    public async Task EveryVerbHasHelp(string verb) => Assert.Equal(0, await RunAsync(verb, "--help"));

    [Fact]
    public async Task ImportThenExportTheMatrixRoundTripsThroughTheStore()
    {
        await using var store = await TestStore.CreateAsync();
        using var temp = new TempFolder();
        var db = store.DatabasePath;

        Assert.Equal(0, await RunAsync("import", "--loglik", PaperDataFiles.SampleMatrix, "--texts", PaperDataFiles.SampleTexts,
            "--metadata", PaperDataFiles.NameTypeColor, "--metadata", PaperDataFiles.SampleModelData, "--dtype", "float16", "--db", db));
        Assert.Equal(0, await RunAsync("export", "--what", "matrix", "--format", "json", "--out", temp.FilePath("m.json"), "--db", db));

        var exported = MatrixFiles.Load(temp.FilePath("m.json"), CancellationToken.None);
        var original = MatrixFiles.Read(PaperDataFiles.SampleMatrix, CancellationToken.None);
        Assert.Equal(original.ModelNames.Order(StringComparer.Ordinal), exported.Matrix.ModelNames);
        for (var i = 0; i < original.ModelCount; i++)
        {
            var row = exported.Matrix.ModelNames.ToList().IndexOf(original.ModelNames[i]);
            Assert.Equal(original.Row(i).ToArray(), exported.Matrix.Row(row).ToArray());
        }
        // Metadata from both pickles landed on the models (name_type_color: family; model-data: size 1.1 B).
        var model = (await store.Models.ListModelsAsync(CancellationToken.None)).Single(m => m.Name == "aaditya/Llama3-OpenBioLLM-8B");
        Assert.Equal(("llama-3", 1_100_000_000L, new DateTime(2023, 4, 8)), (model.Family, model.ParameterCount, model.CreatedAt));
    }

    [Fact]
    public async Task ImportRefusesAHostilePickleWithExitCode2()
    {
        await using var store = await TestStore.CreateAsync();

        var code = await RunAsync("import", "--loglik", PaperDataFiles.Generated("hostile_os_system_protocol2.pkl"), "--texts", PaperDataFiles.SampleTexts, "--db", store.DatabasePath);

        Assert.Equal(2, code);
        Assert.Empty(await store.Models.ListModelsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task NeighboursExportHasTheHandWorkedKlValues()
    {
        // Rows a = (0, 0), b = (1, -1), c = (3, -3) over N = 2 texts; no clipping (percentile 0 = the minimum).
        // Column centring does not change distances (docs/method.md 1.4), so |q_i - q_j|^2 is the distance of the
        // row-centred rows: a-b 2, b-c 8, a-c 18, and KL = |q_i - q_j|^2 / (2N) = 0.5, 2, 4.5 nats.
        using var temp = new TempFolder();
        var matrix = temp.Write("m.csv", "model,0,1\na,0,0\nb,1,-1\nc,3,-3\n");

        Assert.Equal(0, await RunAsync("export", "--what", "neighbours", "--format", "csv", "--loglik", matrix,
            "--clip-percentile", "0", "--neighbours", "2", "--out", temp.FilePath("n.csv")));

        Assert.Equal(
            [
                "model,rank,neighbour,kl_nats,kl_bits_per_byte",
                "a,1,b,0.5,", "a,2,c,4.5,",
                "b,1,a,0.5,", "b,2,c,2,",
                "c,1,b,2,", "c,2,a,4.5,",
            ],
            File.ReadAllLines(temp.FilePath("n.csv")));
    }

    [Fact]
    public async Task QExportIsTheDoubleCentredMatrix()
    {
        // Same rows: row means 0, 0, 0; column means (4/3, -4/3); q = row - column mean.
        using var temp = new TempFolder();
        var matrix = temp.Write("m.csv", "model,0,1\na,0,0\nb,1,-1\nc,3,-3\n");

        Assert.Equal(0, await RunAsync("export", "--what", "q", "--format", "json", "--loglik", matrix, "--clip-percentile", "0", "--out", temp.FilePath("q.json")));

        var q = MatrixFiles.Load(temp.FilePath("q.json"), CancellationToken.None).Matrix;
        double[] expected = [-4.0 / 3, 4.0 / 3, 1 - (4.0 / 3), -1 + (4.0 / 3), 3 - (4.0 / 3), -3 + (4.0 / 3)];
        Assert.All(expected.Zip(q.Values.ToArray()), pair => Assert.Equal(pair.First, pair.Second, 1e-12));
    }
}
