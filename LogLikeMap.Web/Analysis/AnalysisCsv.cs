using System.Globalization;
using System.Text;
using LogLikeMap.Core.Analysis;

namespace LogLikeMap.Web.Analysis;

/// <summary>The analyses as CSV downloads (one header line; invariant round-trip numbers; empty for a missing value).</summary>
public static class AnalysisCsv
{
    /// <summary>The held-out predictions, as <c>loglikemap predict</c> writes predictions.csv.</summary>
    public static string HeldOut(PredictionResult prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        var csv = new StringBuilder("model,target,seed,fold,true,predicted\n");
        foreach (var p in prediction.HeldOut)
            Row(csv, p.Model, p.Target, Int(p.Seed), Int(p.Fold), Number(p.True), Number(p.Predicted));
        return csv.ToString();
    }

    /// <summary>The predictions of the models without scores, with their intervals, as unscored.csv.</summary>
    public static string Unscored(PredictionResult prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        var csv = new StringBuilder("model,target,predicted,lower,upper\n");
        foreach (var p in prediction.Unscored)
            Row(csv, p.Model, p.Target, Number(p.Predicted), Number(p.Lower), Number(p.Upper));
        return csv.ToString();
    }

    public static string Leakage(IReadOnlyList<LeakageCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var csv = new StringBuilder("model,mean_loglik,implied,residual,robust_z,flagged\n");
        foreach (var c in checks)
            Row(csv, c.Model, Number(c.MeanLogLikelihood), Number(c.Implied), Number(c.Residual), Number(c.RobustZ), c.Flagged ? "true" : "false");
        return csv.ToString();
    }

    public static string Trajectories(IReadOnlyList<Trajectory> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var csv = new StringBuilder("run,model,step,kl_from_previous,kl_from_start,kl_to_final\n");
        foreach (var run in runs)
        {
            foreach (var p in run.Points)
            {
                Row(csv, run.Run, p.Model, p.Step.ToString(CultureInfo.InvariantCulture),
                    p.KlFromPrevious is { } previous ? Number(previous) : string.Empty, Number(p.KlFromStart), Number(p.KlToFinal));
            }
        }
        return csv.ToString();
    }

    public static string Resampling(ResamplingCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var csv = new StringBuilder("sampling,texts,draws,kl_spearman,neighbour_overlap\n");
        foreach (var p in curve.Points)
            Row(csv, p.Sampling.ToString().ToLowerInvariant(), Int(p.Texts), Int(p.Draws), Number(p.KlSpearman), Number(p.NeighbourOverlap));
        return csv.ToString();
    }

    private static void Row(StringBuilder csv, params string[] fields)
    {
        csv.AppendJoin(',', fields.Select(BenchmarkScores.Quote));
        csv.Append('\n');
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
