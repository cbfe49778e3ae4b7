using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Lab.Zoo;
using LogLikeMap.Scoring;
using LogLikeMap.Tests.Web.Browser;

namespace LogLikeMap.Tests.Zoo;

/// <summary>
/// The zoo's recipe is lineages fixed before anything was scored: every model's family is the base it descends from,
/// and the samples shipped in data/samples, fine-tunes of four bases kept out of the map, are each placed next to the
/// base they came from when scored on the built-in map's texts (the same Core code that places an upload).
/// </summary>
public sealed class ZooRecipeTests
{
    private static readonly IReadOnlyList<ZooModelSpec> Recipe = ZooRecipe.Default;

    [Fact]
    public void Every_model_belongs_to_the_lineage_of_the_base_it_was_made_from()
    {
        var bases = ZooRecipe.Bases.Select(b => b.Name).ToHashSet();
        var rootOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in Recipe)
        {
            // Parents and sources come earlier, and their lineage is this model's.
            var origins = (spec.Derivation?.Sources ?? []).Concat(spec.Parent is null ? [] : [spec.Parent]).ToList();
            if (spec.Change == ZooChange.Base)
            {
                Assert.Contains(spec.Name, bases);
                Assert.Empty(origins);
                Assert.Equal(spec.Name, spec.Family);
            }
            else
            {
                Assert.NotEmpty(origins);
                Assert.All(origins, origin => Assert.Equal(spec.Family, rootOf[origin]));
            }
            foreach (var (name, _) in spec.SavedModels)
                Assert.True(rootOf.TryAdd(name, spec.Family), $"{name} is saved twice");
        }
        Assert.InRange(bases.Count, 5, 8);
        Assert.Equal(4, ZooRecipe.Bases.Select(b => b.Tokenizer).Distinct().Count());
        Assert.Equal(3, ZooRecipe.Bases.Select(b => b.Architecture).Distinct().Count());
    }

    [Fact]
    public void Each_base_has_every_kind_of_change_and_one_base_has_the_whole_interpolation_grid()
    {
        foreach (var root in ZooRecipe.Bases)
        {
            var changes = Recipe.Where(s => s.Family == root.Name && s.InMap).Select(s => s.Change).ToHashSet();
            Assert.Superset(new HashSet<string>
            {
                ZooChange.Base, ZooChange.DomainFineTune, ZooChange.InstructionFineTune, ZooChange.LowRankFineTune,
                ZooChange.WeightAverage, ZooChange.Float16, ZooChange.BFloat16, ZooChange.Int8,
            }, changes);
            Assert.Equal(3, root.SavedModels.Count);   // two checkpoints along the run and the base itself
        }
        var grid = ZooRecipe.GridSteps.SelectMany(a => ZooRecipe.GridSteps.Select(b => ZooRecipe.GridModel(a, b))).ToList();
        var inMap = Recipe.Where(s => s.InMap).SelectMany(s => s.SavedModels.Select(m => m.Name)).ToHashSet();
        Assert.Equal(36, grid.Distinct().Count());
        Assert.Subset(inMap, grid.ToHashSet());
        Assert.Single(Recipe, s => s.Change == ZooChange.Leak);
    }

    [Fact]
    public void A_checkpoint_card_names_its_run_base_and_step()
    {
        var root = ZooRecipe.Bases[0];
        var card = ZooScoring.Card(root, $"{root.Name}-step0100", 100, 1234, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        Assert.Equal(root.Name, card["family"]!.GetValue<string>());
        Assert.Equal(root.Name, card["base"]!.GetValue<string>());
        Assert.Equal(root.Name, card["run"]!.GetValue<string>());
        Assert.Equal(ZooChange.Checkpoint, card["change"]!.GetValue<string>());
        Assert.Equal(100, card["step"]!.GetValue<int>());
    }

    public static TheoryData<string> Samples => [.. ZooRecipe.Default.Where(s => !s.InMap).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task A_sample_is_assigned_to_the_lineage_it_was_fine_tuned_from(string sample)
    {
        var spec = Recipe.Single(s => s.Name == sample);
        var map = BuiltInMapFixture.RepositoryDemoMap;
        var checkpoint = Path.Combine(map, "..", "samples", sample);
        var texts = await TextSetFile.ReadAsync(Path.Combine(map, "texts.jsonl"), CancellationToken.None);
        var loaded = ResultsFolder.Read(Path.Combine(map, "results"), CancellationToken.None);
        var families = ZooChecks.ReadCards(Path.Combine(map, "models.jsonl"));
        Assert.DoesNotContain(sample, loaded.Matrix.ModelNames);

        IReadOnlyList<TextScore> scores;
        using (var scorer = LogLikelihoodScorer.Load(checkpoint, new ScoringOptions(Threads: 1)))
            scores = await scorer.ScoreAsync([.. texts.Texts.Select(t => scorer.Tokenize(t.Index, t.Text))], null, CancellationToken.None);
        var byIndex = scores.ToDictionary(s => s.Index, s => s.LogLikelihood);
        double[] logLikelihoods = [.. loaded.TextIndices.Select(index => byIndex[index])];

        // As an upload is placed: q from the map's clip threshold and column means, KL to every model in the full space.
        var coordinates = CentredLogLikelihoods.FromMatrix(loaded.Matrix, new MapOptions().ClipPercentile);
        var q = coordinates.CentreNewModel(logLikelihoods);
        var match = NearestLineage.Of(Enumerable.Range(0, loaded.Matrix.ModelCount).Select(i => (
            families[loaded.Matrix.ModelNames[i]]["family"]!.GetValue<string>(),
            KlEstimate.NatsPerText(SquaredDistances.Exact(q, coordinates.Row(i)), loaded.Matrix.TextCount))))!;

        Assert.Equal(spec.Family, match.Lineage);
        Assert.True(match.MarginNats > 0, $"{sample}: {match.Lineage} and {match.RunnerUp} are equally near");
    }
}
