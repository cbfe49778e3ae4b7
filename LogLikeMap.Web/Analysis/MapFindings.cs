using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Analysis;

/// <summary>
/// What the coordinates of one version of the map tell (docs/method.md §3, §5.2): the benchmark prediction, the
/// leakage checks and the training runs. Computed once per map snapshot and scores import by <see cref="MapAnalysis"/>.
/// </summary>
/// <param name="Snapshot">The map these findings are for.</param>
/// <param name="ScoresSource">Where the benchmark scores were read, or null when there are none.</param>
/// <param name="Scores">The scores of the models on the map (others dropped), or null when there are none.</param>
/// <param name="Prediction">Held-out and unscored predictions, or null when they could not be made (see <paramref name="PredictionProblem"/>).</param>
/// <param name="PredictionProblem">Why there is no prediction, in words.</param>
/// <param name="Leakage">Every model's leakage check (empty when there is no prediction or no benchmark besides mean_logp).</param>
/// <param name="LeakageProblem">Why there are no leakage checks, in words.</param>
/// <param name="LeakageThreshold">The robust z above which a model is flagged.</param>
/// <param name="Trajectories">The runs whose checkpoints are on the map, as <c>GET /api/analysis/trajectories</c> gives them.</param>
/// <param name="FoldsNote">Why the cross-validation does not hold out whole families, when it does not.</param>
public sealed record MapFindings(
    MapSnapshot Snapshot,
    string? ScoresSource,
    ScoreTable? Scores,
    PredictionResult? Prediction,
    string? PredictionProblem,
    IReadOnlyList<LeakageCheck> Leakage,
    string? LeakageProblem,
    double LeakageThreshold,
    IReadOnlyList<Trajectory> Trajectories,
    string? FoldsNote = null)
{
    /// <summary>The models flagged for leakage, highest robust z first.</summary>
    public IReadOnlyList<LeakageCheck> Flagged => [.. Leakage.Where(l => l.Flagged).OrderByDescending(l => l.RobustZ)];

    /// <summary>What the findings say about one model.</summary>
    public ModelFindings For(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var scores = new List<TargetScore>();
        if (Scores is not null)
        {
            var known = Scores.Scores.GetValueOrDefault(model);
            for (var t = 0; t < Scores.Targets.Count; t++)
            {
                var target = Scores.Targets[t];
                if (known?[t] is { } value)
                {
                    var heldOut = Prediction?.HeldOut.Where(p => p.Model == model && p.Target == target).Select(p => p.Predicted).ToList();
                    scores.Add(new TargetScore(target, value, false, null, null, heldOut is { Count: > 0 } ? heldOut.Average() : null));
                }
                else if (Prediction?.Unscored.FirstOrDefault(p => p.Model == model && p.Target == target) is { } predicted)
                {
                    scores.Add(new TargetScore(target, predicted.Predicted, true, predicted.Lower, predicted.Upper, null));
                }
            }
        }
        var run = Trajectories.FirstOrDefault(r => r.Points.Any(p => p.Model == model));
        return new ModelFindings(
            model, scores, Prediction?.IntervalLevel,
            Leakage.FirstOrDefault(l => l.Model == model), LeakageThreshold,
            run, run?.Points.First(p => p.Model == model));
    }
}

/// <summary>A model's score on one target: its own (with the mean of its held-out predictions) or a predicted one with an interval.</summary>
/// <param name="HeldOutPrediction">For a model's own score: the mean over the repetitions of its prediction while held out.</param>
public sealed record TargetScore(string Target, double Value, bool Predicted, double? Lower, double? Upper, double? HeldOutPrediction);

/// <summary>The side panel's view of one model's findings.</summary>
/// <param name="IntervalLevel">The coverage the predicted scores' intervals aim at.</param>
/// <param name="Run">The training run the model is a checkpoint of, if any.</param>
/// <param name="Checkpoint">The model's point on that run.</param>
public sealed record ModelFindings(
    string Model,
    IReadOnlyList<TargetScore> Scores,
    double? IntervalLevel,
    LeakageCheck? Leakage,
    double LeakageThreshold,
    Trajectory? Run,
    TrajectoryPoint? Checkpoint);
