using System.Globalization;
using System.Text;
using System.Text.Json;
using LogLikeMap.Tests.Web.Api;

namespace LogLikeMap.Tests.Web.Analysis;

/// <summary>
/// A map folder whose benchmark scores, leakage and runs are known in closed form, written for the web app to seed from:
/// the 300 texts of the test demo map, and models whose log-likelihood of text s is
/// <c>L_is = -(50 + 30 u_s) + θ_i w_s + φ_f v_s + 0.3 cos(1.7 i) + δ_i + 0.5 ε_is</c> (u, w, v, ε fixed draws; v centred;
/// θ_i the model's ability, φ_f its family's style). Its scores are <see cref="Accuracy"/> = 50 + 10 θ and
/// <see cref="Cloze"/> = 40 + 8 θ, each with a small fixed wobble so no fit is exact. One model, <see cref="Leaky"/>,
/// has δ = +6 nats on every text (it saw them) at an ordinary ability: the only one the leakage check should flag.
/// The run's checkpoints (<c>lab/run-stepN</c>) and <see cref="Unscored"/> have no scores.
/// </summary>
public static class AnalysisMap
{
    public const string Leaky = "lab/leaky";
    public const string Unscored = "new/unscored";
    public const string Run = "lab/run";
    public static readonly long[] RunSteps = [100, 200, 300, 400];

    /// <summary>The unscored model's ability, so its closed-form scores are 57 and 45.6.</summary>
    public const double UnscoredAbility = 0.7;

    public static double Accuracy(double ability) => 50 + (10 * ability);

    public static double Cloze(double ability) => 40 + (8 * ability);

    /// <summary>The models: name, family, ability θ, offset δ and whether the scores CSV lists it.</summary>
    public static IReadOnlyList<(string Name, string Family, double Ability, double Offset, bool Scored)> Models { get; } = BuildModels();

    private static List<(string, string, double, double, bool)> BuildModels()
    {
        var models = new List<(string, string, double, double, bool)>();
        for (var f = 0; f < 6; f++)
        {
            for (var m = 0; m < 5; m++)
                models.Add(($"fam{f}/model-{m}", $"fam{f}", -1 + (2.0 * ((f * 5) + m) / 29), 0, true));
        }
        models.Add((Leaky, "fam0", 0.1, 6, true));
        models.Add((Unscored, "fam3", UnscoredAbility, 0, false));
        foreach (var (step, i) in RunSteps.Select((s, i) => (s, i)))
            models.Add(($"{Run}-step{step}", "run", -0.8 + (0.5 * i), 0, false));
        return models;
    }

    /// <summary>Writes the folder (texts.jsonl, models.jsonl, results/, scores.csv) under a new temporary folder.</summary>
    public static string Create()
    {
        var folder = Directory.CreateTempSubdirectory("loglikemap-analysis-map-").FullName;
        var texts = Path.Combine(WebAppFactory.DemoMapFolder, "texts.jsonl");
        File.Copy(texts, Path.Combine(folder, "texts.jsonl"));
        var indices = File.ReadLines(texts).Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("index").GetInt64()).ToArray();
        var n = indices.Length;

        var random = new Random(13);
        var u = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => 1 + (2 * Gaussian(random))).ToArray();
        var v = Enumerable.Range(0, n).Select(_ => Gaussian(random)).ToArray();
        var vMean = v.Average();
        var style = Enumerable.Range(0, 7).Select(_ => Gaussian(random)).ToArray();
        var families = Models.Select(m => m.Family).Distinct().ToList();

        var results = Directory.CreateDirectory(Path.Combine(folder, "results")).FullName;
        var cards = new StringBuilder();
        var scores = new StringBuilder("model,acc,cloze\n");
        foreach (var (model, i) in Models.Select((m, i) => (m, i)))
        {
            var phi = style[families.IndexOf(model.Family)];
            var lines = new StringBuilder();
            for (var s = 0; s < n; s++)
            {
                var value = -(50 + (30 * u[s])) + (model.Ability * w[s]) + (phi * (v[s] - vMean)) + (0.3 * Math.Cos(1.7 * i)) + model.Offset
                    + (0.5 * Gaussian(random));
                lines.Append(CultureInfo.InvariantCulture, $"{{\"index\": {indices[s]}, \"num-tokens\": 100, \"log-likelihood\": {value.ToString("R", CultureInfo.InvariantCulture)}}}\n");
            }
            File.WriteAllText(Path.Combine(results, model.Name.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"), lines.ToString());
            cards.Append(CultureInfo.InvariantCulture, $"{{\"name\": \"{model.Name}\", \"family\": \"{model.Family}\", \"architecture\": \"llama\", \"parameters\": {1_000_000 * (i + 1)}}}\n");
            if (model.Scored)
            {
                var wobble = Math.Sin(2.3 * i);
                scores.Append(CultureInfo.InvariantCulture,
                    $"{model.Name},{(Accuracy(model.Ability) + wobble).ToString("R", CultureInfo.InvariantCulture)},{(Cloze(model.Ability) - (0.8 * wobble)).ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        }
        File.WriteAllText(Path.Combine(folder, "models.jsonl"), cards.ToString());
        File.WriteAllText(Path.Combine(folder, "scores.csv"), scores.ToString());
        return folder;
    }

    // Box-Muller: the fixed draws need only be reproducible, not numpy's.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
