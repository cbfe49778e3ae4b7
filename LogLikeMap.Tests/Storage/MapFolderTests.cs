using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Storage;

/// <summary>TestData/demo-map was built by its make_demo_map.py from the paper-format samples.</summary>
public class MapFolderTests
{
    private static string DemoMap => Path.Combine(AppContext.BaseDirectory, "TestData", "demo-map");

    [Fact]
    public async Task SeedingAnEmptyStoreImportsTheFolderOnce()
    {
        // A store that was never migrated: the seeding call migrates it.
        await using var store = await TestStore.CreateAsync(migrate: false);

        var first = await store.MapFolders.MigrateAndSeedIfEmptyAsync(DemoMap, null, CancellationToken.None);
        var second = await store.MapFolders.MigrateAndSeedIfEmptyAsync(DemoMap, null, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Equal(60, first.ModelsAdded);
        Assert.Null(second);
        var stored = await store.Models.ReadMatrixAsync(first.TextSet.Id, CancellationToken.None);
        // The same texts as sample_texts.jsonl (hash from make_fixtures.out.txt) and numpy's numbers of the sample pickle.
        Assert.Equal("7da35b298039f59b09aa5a3d610e2c3efa343b1484d95d7aad6ae4103a9b8731", stored.TextSet.ContentHash);
        var row = stored.Matrix.ModelNames.ToList().IndexOf("aaditya/Llama3-OpenBioLLM-8B");
        Assert.Equal(-320109.19389652525, stored.Matrix.Row(row).ToArray().Sum(), 1e-6);
        var model = stored.Models[row];
        Assert.Equal(("llama-3", 1_100_000_000L, new DateTime(2023, 4, 8)), (model.Family, model.ParameterCount, model.CreatedAt));
        Assert.Equal("paper sample", model.Source);
    }

    [Fact]
    public async Task AModelWithoutResultsIsRefusedNamingIt()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(DemoMap, "texts.jsonl"), temp.FilePath("texts.jsonl"));
        temp.Write("models.jsonl", "{\"name\": \"org/missing\", \"family\": \"x\"}\n");
        temp.Write("results/org__other.jsonl", "{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1}\n");
        await using var store = await TestStore.CreateAsync();

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.MapFolders.ImportAsync(temp.Path, null, CancellationToken.None));

        Assert.Contains("model 'org/missing' has no results file", ex.Message);
        Assert.Contains("org__missing.jsonl", ex.Message);
    }

    [Fact]
    public async Task MalformedModelsLinesAreRefusedNamingTheLine()
    {
        using var temp = new TempFolder();
        var path = temp.Write("models.jsonl", "{\"name\": \"a\"}\n{\"name\": \"b\", \"parameters\": \"many\"}\n");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => Store.Catalog.ModelMetadataFiles.ReadAsync(path, CancellationToken.None));

        Assert.Contains("models.jsonl, line 2 (model 'b'): \"parameters\" must be a non-negative integer", ex.Message);
    }
}
