using System.Globalization;
using System.Text.RegularExpressions;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Analysis;

/// <summary>A model's place in a training run: the run's name and the step the checkpoint was saved at.</summary>
public sealed record RunStep(string Run, long Step);

/// <summary>One checkpoint of a trajectory with the KL (nats per text) from the previous step, from the first and to the last.</summary>
public sealed record TrajectoryPoint(string Model, long Step, double? KlFromPrevious, double KlFromStart, double KlToFinal);

/// <summary>The checkpoints of one run in step order.</summary>
public sealed record Trajectory(string Run, IReadOnlyList<TrajectoryPoint> Points);

/// <summary>
/// Trajectories of training runs on the map (docs/method.md §5.2, the follow-up "Revealing Language Model Trajectories
/// via Kullback-Leibler Divergence"): models that are checkpoints of one run, ordered by step, with the KL of each step
/// |q_a - q_b|² / 2N and the KL from the first and to the last checkpoint.
/// </summary>
public static partial class Trajectories
{
    /// <summary>
    /// A run and step read from a name such as <c>org/run-step1000</c>, <c>run/checkpoint-500</c> or <c>run@step20</c>
    /// (the run is the name without that suffix); null when the name carries no step.
    /// </summary>
    public static RunStep? FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var match = StepSuffix().Match(name);
        if (!match.Success)
            return null;
        return new RunStep(name[..match.Index], long.Parse(match.Groups["step"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Every run with at least two checkpoints among <paramref name="models"/> (run and step from metadata where given,
    /// else from the name), in run-name order. <paramref name="row"/> gives a model's q (same space for all).
    /// </summary>
    public static IReadOnlyList<Trajectory> Build(IReadOnlyList<string> models, IReadOnlyList<RunStep?> metadata, ModelRow row)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(row);
        if (metadata.Count != models.Count)
            throw new ArgumentException($"{models.Count} models but {metadata.Count} run/step entries.", nameof(metadata));
        var members = Enumerable.Range(0, models.Count)
            .Select(i => (Index: i, RunStep: metadata[i] ?? FromName(models[i])))
            .Where(m => m.RunStep is not null)
            .GroupBy(m => m.RunStep!.Run, StringComparer.Ordinal)
            .Where(g => g.Count() >= 2)
            .OrderBy(g => g.Key, StringComparer.Ordinal);

        var result = new List<Trajectory>();
        foreach (var run in members)
        {
            var ordered = run.OrderBy(m => m.RunStep!.Step).ThenBy(m => models[m.Index], StringComparer.Ordinal).ToArray();
            var duplicate = ordered.Zip(ordered.Skip(1)).FirstOrDefault(p => p.First.RunStep!.Step == p.Second.RunStep!.Step);
            if (duplicate != default)
                throw new ArgumentException(
                    $"Run '{run.Key}' has two checkpoints at step {duplicate.First.RunStep!.Step} ({models[duplicate.First.Index]}, {models[duplicate.Second.Index]}); give each its own step.");
            int first = ordered[0].Index, last = ordered[^1].Index;
            var points = new List<TrajectoryPoint>(ordered.Length);
            for (var p = 0; p < ordered.Length; p++)
            {
                var model = ordered[p].Index;
                points.Add(new TrajectoryPoint(
                    models[model],
                    ordered[p].RunStep!.Step,
                    p == 0 ? null : Kl(row, ordered[p - 1].Index, model),
                    Kl(row, first, model),
                    Kl(row, model, last)));
            }
            result.Add(new Trajectory(run.Key, points));
        }
        return result;
    }

    private static double Kl(ModelRow row, int a, int b) =>
        KlEstimate.NatsPerText(SquaredDistances.Exact(row(a), row(b)), row(a).Length);

    [GeneratedRegex(@"[-_/@.](?:step|checkpoint|ckpt|iter)[-_]?(?<step>\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StepSuffix();
}
