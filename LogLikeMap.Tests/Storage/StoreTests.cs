using LogLikeMap.Core.Map;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Tests.PaperData;
using Microsoft.EntityFrameworkCore;

namespace LogLikeMap.Tests.Storage;

public class StoreTests
{
    private static async Task<MatrixImport> SampleImportAsync()
    {
        var matrix = MatrixFiles.Load(PaperDataFiles.SampleMatrix, CancellationToken.None);
        var texts = await TextSetFile.ReadAsync(PaperDataFiles.SampleTexts, CancellationToken.None);
        var metadata = await ModelMetadataFiles.ReadAsync(PaperDataFiles.NameTypeColor, CancellationToken.None);
        return new MatrixImport(matrix, texts, metadata) { TextSetName = "sample", Dtype = "float16", ScorerVersion = "paper release" };
    }

    [Fact]
    public async Task MigrationsCreateTheStoreInAFolderThatDidNotExist()
    {
        await using var store = await TestStore.CreateAsync();

        Assert.True(File.Exists(store.DatabasePath));
        await using var db = await store.Contexts.CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(["20261128103525_InitialStore", "20261205072851_WorkerUploadsAndPartialScores", "20261205073000_LayoutColumnMeans"], await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task ImportedSampleReadsBackWithNumpysNumbersAndTheReleasesFamilies()
    {
        await using var store = await TestStore.CreateAsync();

        var summary = await store.Importer.ImportAsync(await SampleImportAsync(), null, CancellationToken.None);
        var stored = await store.Models.ReadMatrixAsync(summary.TextSet.Id, CancellationToken.None);

        Assert.Equal((60, 0, 1018 - 60), (summary.ModelsAdded, summary.ModelsUpdated, summary.MetadataIgnored));
        Assert.Equal("7da35b298039f59b09aa5a3d610e2c3efa343b1484d95d7aad6ae4103a9b8731", stored.TextSet.ContentHash);
        Assert.Equal(998.796, stored.TextSet.MeanByteLength, 1e-9);
        Assert.Equal((60, 500), (stored.Matrix.ModelCount, stored.Matrix.TextCount));
        Assert.Equal(stored.Matrix.ModelNames.Order(StringComparer.Ordinal), stored.Matrix.ModelNames);
        // make_fixtures.out.txt: raw[names[0]] sums to -320109.19389652525, raw[names[7]][123] = -550.806080399965.
        var first = stored.Matrix.ModelNames.ToList().IndexOf("aaditya/Llama3-OpenBioLLM-8B");
        Assert.Equal(-320109.19389652525, stored.Matrix.Row(first).ToArray().Sum(), 1e-6);
        var names = MatrixFiles.Read(PaperDataFiles.SampleMatrix, CancellationToken.None).ModelNames;
        Assert.Equal(-550.806080399965, stored.Matrix.Row(stored.Matrix.ModelNames.ToList().IndexOf(names[7]))[123]);
        Assert.Equal(-15454.643413436315, stored.Matrix.Values.ToArray().Min());

        // Families as name_type_color_1018.pkl gives them (first entry of make_fixtures.out.txt: Yi is "others"/"llama").
        var model = Assert.Single(stored.Models, m => m.Name == "AIJUUD/juud-Mistral-7B");
        Assert.Equal(("mistral", "mistral", "#d62728"), (model.Family, model.Architecture, (string?)model.Metadata!["color"]));
    }

    [Fact]
    public async Task ReimportIsIdempotentAndUpdatesInPlace()
    {
        await using var store = await TestStore.CreateAsync();
        var import = await SampleImportAsync();
        await store.Importer.ImportAsync(import, null, CancellationToken.None);

        // Same matrix again, with one value changed and new metadata for one model.
        var original = import.Matrix.Matrix;
        var values = original.Values.ToArray();
        values[0] = -1.0;
        var changed = import with
        {
            Matrix = import.Matrix with { Matrix = new(original.ModelNames, original.TextCount, values) },
            Metadata = [new ModelMetadata(original.ModelNames[0]) { ParameterCount = 8_000_000_000 }],
        };
        var summary = await store.Importer.ImportAsync(changed, null, CancellationToken.None);

        Assert.Equal((0, 60), (summary.ModelsAdded, summary.ModelsUpdated));
        await using var db = await store.Contexts.CreateDbContextAsync();
        Assert.Equal(60, await db.Models.CountAsync());
        Assert.Equal(60, await db.ScoreVectors.CountAsync());
        Assert.Equal(1, await db.TextSets.CountAsync());
        var stored = await store.Models.ReadMatrixAsync(summary.TextSet.Id, CancellationToken.None);
        var row = stored.Matrix.ModelNames.ToList().IndexOf(original.ModelNames[0]);
        Assert.Equal(-1.0, stored.Matrix.Row(row)[0]);
        // The second import's metadata adds the size and keeps the family of the first.
        Assert.Equal((8_000_000_000L, "llama-3"), (stored.Models[row].ParameterCount, stored.Models[row].Family));
    }

    [Fact]
    public async Task AVectorScoredOnAnotherTextSetIsRefused()
    {
        await using var store = await TestStore.CreateAsync();
        await store.Importer.ImportAsync(await SampleImportAsync(), null, CancellationToken.None);
        var otherTexts = new TextSet([new TextRecord(0, "a different text", null)]);
        var scored = new ScoredModel(new ModelMetadata("new/model"), otherTexts.ContentHash, [new TextScore(0, 3, -5.0)], "float32", "test");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.Models.AddOrReplaceScoresAsync(scored, CancellationToken.None));

        Assert.Contains($"'new/model' was scored on text set {otherTexts.ContentHash}, which is not in the store", ex.Message);
        Assert.Contains("7da35b298039f59b09aa5a3d610e2c3efa343b1484d95d7aad6ae4103a9b8731", ex.Message);
    }

    [Fact]
    public async Task AddOrReplaceStoresOneVectorPerModelAndTextSet()
    {
        await using var store = await TestStore.CreateAsync();
        var set = await store.TextSets.AddAsync(new TextSet([new TextRecord(10, "first text", "A"), new TextRecord(20, "second text", "B")]), "tiny", CancellationToken.None);
        ScoredModel Scores(double a, double b) =>
            new(new ModelMetadata("m") { Family = "f" }, set.ContentHash, [new TextScore(20, 4, b), new TextScore(10, 3, a)], "bfloat16", "test 1");

        await store.Models.AddOrReplaceScoresAsync(Scores(-1, -2), CancellationToken.None);
        await store.Models.AddOrReplaceScoresAsync(Scores(-3, -4), CancellationToken.None);
        var stored = await store.Models.ReadMatrixAsync(set.Id, CancellationToken.None);

        Assert.Equal(["m"], stored.Matrix.ModelNames);
        Assert.Equal([10L, 20], stored.TextIndices);
        Assert.Equal([-3.0, -4.0], stored.Matrix.Values.ToArray());
        await using var db = await store.Contexts.CreateDbContextAsync();
        var vector = await db.ScoreVectors.SingleAsync();
        Assert.Equal(("bfloat16", "test 1"), (vector.Dtype, vector.ScorerVersion));
        Assert.Equal([3, 4], Store.VectorBlobs.ToInts(vector.TokenCounts!));
    }

    [Fact]
    public async Task ScoresMissingATextAreRefusedNamingTheIndex()
    {
        await using var store = await TestStore.CreateAsync();
        var set = await store.TextSets.AddAsync(new TextSet([new TextRecord(0, "a", null), new TextRecord(1, "b", null)]), "tiny", CancellationToken.None);
        var scored = new ScoredModel(new ModelMetadata("m"), set.ContentHash, [new TextScore(0, 1, -1)], "float32", "test");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.Models.AddOrReplaceScoresAsync(scored, CancellationToken.None));

        Assert.Contains("Model 'm': 1 of the 2 texts", ex.Message);
        Assert.Contains("text index 1)", ex.Message);
    }

    [Fact]
    public async Task AMatrixWithoutTextsNeedsAStoredTextSetWithItsIndices()
    {
        await using var store = await TestStore.CreateAsync();
        var matrix = MatrixFiles.Load(PaperDataFiles.SampleMatrix, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.Importer.ImportAsync(new MatrixImport(matrix), null, CancellationToken.None));
        Assert.Contains("--texts", ex.Message);

        // Once the texts are stored, the same matrix imports onto them.
        await store.TextSets.AddAsync(await TextSetFile.ReadAsync(PaperDataFiles.SampleTexts, CancellationToken.None), "sample", CancellationToken.None);
        var summary = await store.Importer.ImportAsync(new MatrixImport(matrix), null, CancellationToken.None);
        Assert.Equal(60, summary.ModelsAdded);
    }

    [Fact]
    public async Task AFailedImportLeavesNothingBehind()
    {
        await using var store = await TestStore.CreateAsync();
        var import = await SampleImportAsync();
        // A matrix whose texts are not the given text set's: refused after the text set was added in the transaction.
        var wrongTexts = new TextSet(import.Texts!.Texts.Skip(1));

        await Assert.ThrowsAsync<InvalidDataException>(() => store.Importer.ImportAsync(import with { Texts = wrongTexts }, null, CancellationToken.None));

        await using var db = await store.Contexts.CreateDbContextAsync();
        Assert.Equal((0, 0), (await db.TextSets.CountAsync(), await db.Models.CountAsync()));
    }

    [Fact]
    public async Task LayoutsGetVersionsAndPlacedModelsAreProvisional()
    {
        await using var store = await TestStore.CreateAsync();
        var summary = await store.Importer.ImportAsync(await SampleImportAsync(), null, CancellationToken.None);
        var names = (await store.Models.ListModelsAsync(CancellationToken.None)).Select(m => m.Name).ToList();

        var parameters = new LayoutParameters { Perplexity = 12, Iterations = 500, Seed = 7, Initialisation = TsneInitialisation.Random };
        double[] columnMeans = [-0.25, 1.5, double.Epsilon];
        var first = await store.Layouts.SaveAsync(summary.TextSet.Id, parameters, -841.6, columnMeans, [.. names.Skip(1).Select((n, i) => new LayoutPoint(n, i, -i, false))], CancellationToken.None);
        await store.Layouts.PlaceAsync(first.Id, new LayoutPoint(names[0], 0.5, 0.25, true), CancellationToken.None);
        var loaded = await store.Layouts.LoadLatestAsync(summary.TextSet.Id, CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal((1, parameters, -841.6), (loaded.Version, loaded.Parameters, loaded.ClipThreshold));
        Assert.Equal(columnMeans, loaded.ColumnMeans);
        Assert.Equal(60, loaded.Points.Count);
        Assert.Equal(new LayoutPoint(names[0], 0.5, 0.25, true), loaded.Points[0]);
        Assert.Equal(new LayoutPoint(names[2], 1, -1, false), loaded.Points[2]);

        var second = await store.Layouts.SaveAsync(summary.TextSet.Id, new LayoutParameters(), -841.6, null, [new LayoutPoint(names[0], 9, 9, false)], CancellationToken.None);
        Assert.Equal(2, second.Version);
        var latest = (await store.Layouts.LoadLatestAsync(summary.TextSet.Id, CancellationToken.None))!;
        Assert.Equal((2, new LayoutParameters(), null), (latest.Version, latest.Parameters, latest.ColumnMeans));
    }

    [Fact]
    public async Task PlacingAnUnknownModelIsRefused()
    {
        await using var store = await TestStore.CreateAsync();
        var set = await store.TextSets.AddAsync(new TextSet([new TextRecord(0, "a", null)]), "tiny", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            store.Layouts.SaveAsync(set.Id, new LayoutParameters(), -1, null, [new LayoutPoint("nobody", 0, 0, false)], CancellationToken.None));

        Assert.Contains("'nobody' is not in the store", ex.Message);
    }

    [Fact]
    public async Task DeletingAModelRemovesItsVectors()
    {
        await using var store = await TestStore.CreateAsync();
        var summary = await store.Importer.ImportAsync(await SampleImportAsync(), null, CancellationToken.None);

        Assert.True(await store.Models.DeleteModelAsync("AIJUUD/juud-Mistral-7B", CancellationToken.None));
        Assert.False(await store.Models.DeleteModelAsync("AIJUUD/juud-Mistral-7B", CancellationToken.None));

        var stored = await store.Models.ReadMatrixAsync(summary.TextSet.Id, CancellationToken.None);
        Assert.Equal(59, stored.Matrix.ModelCount);
        Assert.DoesNotContain("AIJUUD/juud-Mistral-7B", stored.Matrix.ModelNames);
    }
}
