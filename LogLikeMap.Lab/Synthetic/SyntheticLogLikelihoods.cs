using LogLikeMap.Core.Map;
namespace LogLikeMap.Lab.Synthetic;

/// <summary>A synthetic log-likelihood matrix and the family each model was drawn from.</summary>
public sealed record SyntheticMatrix(LogLikelihoodMatrix Matrix, IReadOnlyList<int> Family);

/// <summary>
/// Log-likelihood matrices shaped like the paper's (1,018 x 10,000 by default) for benchmarks: a text
/// difficulty per column, a level per model, families as low-rank structure (family, then base model, then
/// fine-tune loadings on shared text factors), per-entry noise, and a heavy lower tail of hard texts.
/// Family sizes follow Fig. 1's model types (docs/method.md §2), so neighbours are meaningful.
/// </summary>
public static class SyntheticLogLikelihoods
{
    // Fig. 1 model-type counts: mistral, llama-2, llama-1, llama-3, gpt_neox, deepseek, gptj, gemma, opt, bloom, falcon, others.
    private static readonly int[] PaperFamilySizes = [232, 223, 69, 62, 54, 26, 19, 18, 15, 12, 11, 277];
    private const int Factors = 16;
    private const int BasesPerFamily = 4;

    /// <summary>Deterministic for (<paramref name="models"/>, <paramref name="texts"/>, <paramref name="seed"/>).</summary>
    public static SyntheticMatrix Create(int models, int texts, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(texts, 2);
        var random = new Random(seed);
        // Right-skewed difficulty, and 3% of texts (garbled, other languages) far harder for every model:
        // the tail the paper's 2% clipping cuts (raw minimum -20,504 against a 2nd percentile of -1,412, §1.3).
        var difficulty = Enumerable.Range(0, texts)
            .Select(_ => -Gamma4(random) * 150 - (random.NextDouble() < 0.03 ? 1500 * -Math.Log(1 - random.NextDouble()) : 0))
            .ToArray();
        var factors = Enumerable.Range(0, Factors).Select(_ => Enumerable.Range(0, texts).Select(_ => Gaussian(random)).ToArray()).ToArray();
        var familyCount = PaperFamilySizes.Length;
        var familyLoadings = Loadings(random, familyCount, 3.0);
        var baseLoadings = Loadings(random, familyCount * BasesPerFamily, 1.0);

        var total = PaperFamilySizes.Sum();
        var family = new int[models];
        for (int i = 0, f = 0, filled = 0; i < models; i++)
        {
            while (f < familyCount - 1 && i >= (long)(filled + PaperFamilySizes[f]) * models / total)
                filled += PaperFamilySizes[f++];
            family[i] = f;
        }

        var values = new double[(long)models * texts];
        var rows = Enumerable.Range(0, models).Select(i =>
        {
            var baseModel = family[i] * BasesPerFamily + random.Next(BasesPerFamily);
            var own = Enumerable.Range(0, Factors).Select(_ => 0.4 * Gaussian(random)).ToArray();
            var loading = Enumerable.Range(0, Factors).Select(r => familyLoadings[family[i]][r] + baseLoadings[baseModel][r] + own[r]).ToArray();
            return (Loading: loading, Level: 40 * Gaussian(random), Seed: random.Next());
        }).ToArray();

        Parallel.For(0, models, i =>
        {
            var rowRandom = new Random(rows[i].Seed);
            var row = values.AsSpan(i * texts, texts);
            for (var s = 0; s < texts; s++)
                row[s] = difficulty[s] + rows[i].Level + 2 * Gaussian(rowRandom);
            for (var r = 0; r < Factors; r++)
            {
                var weight = rows[i].Loading[r];
                var factor = factors[r];
                for (var s = 0; s < texts; s++)
                    row[s] += weight * factor[s];
            }

        });

        var names = Enumerable.Range(0, models).Select(i => $"family{family[i]:00}/model-{i:0000}").ToArray();
        return new SyntheticMatrix(new LogLikelihoodMatrix(names, texts, values), family);
    }

    private static double[][] Loadings(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Factors).Select(_ => scale * Gaussian(random)).ToArray()).ToArray();

    /// <summary>Gamma(4, 1) as a sum of four exponentials: text lengths and difficulties are right-skewed.</summary>
    private static double Gamma4(Random random)
    {
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
            sum -= Math.Log(1 - random.NextDouble());
        return sum;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
