using System.Globalization;
using System.Net;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Analysis;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace LogLikeMap.Web.Components.Analysis;

/// <summary>One analysis chart's traces and layout.</summary>
public sealed record AnalysisFigure(IList<ITrace> Data, Plotly.Blazor.Layout Layout);

/// <summary>A model's held-out prediction of one target, averaged over the repetitions (each repetition holds every model out once).</summary>
public sealed record PredictedVersusTrue(string Model, double True, double Predicted);

/// <summary>The analysis pages' Plotly figures (docs/method.md §3.1, §3.3, §5.1, §5.2), built from the cached findings.</summary>
public static class AnalysisFigures
{
    private const string Accent = "#3559a8";
    private const string Second = "#e65100";

    /// <summary>Each scored model's mean held-out prediction of <paramref name="target"/> against its true score, in model order.</summary>
    public static IReadOnlyList<PredictedVersusTrue> HeldOutMeans(PredictionResult prediction, string target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        return [.. prediction.HeldOut.Where(p => p.Target == target)
            .GroupBy(p => p.Model, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PredictedVersusTrue(g.Key, g.First().True, g.Average(p => p.Predicted)))];
    }

    /// <summary>Predicted against true scores of one target, with the diagonal where a perfect prediction would lie.</summary>
    public static AnalysisFigure PredictedAgainstTrue(PredictionResult prediction, string target)
    {
        var points = HeldOutMeans(prediction, target);
        var low = points.Count == 0 ? 0 : Math.Min(points.Min(p => p.True), points.Min(p => p.Predicted));
        var high = points.Count == 0 ? 1 : Math.Max(points.Max(p => p.True), points.Max(p => p.Predicted));
        ITrace[] data =
        [
            new Scatter
            {
                Name = "y = x",
                Mode = ModeFlag.Lines,
                X = [low, high],
                Y = [low, high],
                Line = new Line { Color = "rgba(120,120,120,0.6)", Dash = "dash", Width = 1 },
                HoverInfo = HoverInfoFlag.Skip,
            },
            new Scatter
            {
                Name = "models (held out)",
                Mode = ModeFlag.Markers,
                X = [.. points.Select(p => (object)p.True)],
                Y = [.. points.Select(p => (object)p.Predicted)],
                HoverTextArray = [.. points.Select(p => WebUtility.HtmlEncode(p.Model))],
                HoverTemplate = "<b>%{hovertext}</b><br>true %{x:.3g}<br>predicted %{y:.3g}<extra></extra>",
                Marker = new Marker { Color = Accent, Size = 7 },
            },
        ];
        return new AnalysisFigure(data, Layout($"true {target}", $"predicted {target} (held out)", logX: false));
    }

    /// <summary>KL from the first checkpoint and to the last against the step, for one run.</summary>
    public static AnalysisFigure TrajectoryKl(Trajectory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var steps = run.Points.Select(p => (object)p.Step).ToList();
        var names = run.Points.Select(p => WebUtility.HtmlEncode(p.Model)).ToList();
        ITrace[] data =
        [
            Series("KL from the first checkpoint", steps, [.. run.Points.Select(p => (object)p.KlFromStart)], names, Accent),
            Series("KL to the final checkpoint", steps, [.. run.Points.Select(p => (object)p.KlToFinal)], names, Second),
        ];
        return new AnalysisFigure(data, Layout("training step", "KL (nats per text)", logX: false));
    }

    /// <summary>One agreement measure of the reduced text sets against their size, a line per sampling rule.</summary>
    public static AnalysisFigure ResamplingCurve(ResamplingCurve curve, bool neighbourOverlap)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var data = new List<ITrace>();
        foreach (var (sampling, colour) in new[] { (TextSampling.Variance, Accent), (TextSampling.Uniform, Second) })
        {
            var points = curve.Points.Where(p => p.Sampling == sampling).OrderBy(p => p.Texts).ToList();
            var label = sampling == TextSampling.Variance ? "variance rule" : "uniform draws";
            data.Add(Series(label, [.. points.Select(p => (object)p.Texts)],
                [.. points.Select(p => (object)(neighbourOverlap ? p.NeighbourOverlap : p.KlSpearman))],
                [.. points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{label}, {p.Texts} texts ({p.Draws} draws)"))], colour));
        }
        var y = neighbourOverlap ? $"{curve.Neighbours}-NN overlap with the full set" : "Spearman ρ of all pairwise KLs with the full set";
        return new AnalysisFigure(data, Layout("texts kept (N)", y, logX: true));
    }

    private static Scatter Series(string name, IList<object> x, IList<object> y, IList<string> hover, string colour) => new()
    {
        Name = name,
        Mode = ModeFlag.Lines | ModeFlag.Markers,
        X = x,
        Y = y,
        HoverTextArray = hover,
        HoverTemplate = "%{hovertext}<br>%{x}: %{y:.4g}<extra></extra>",
        Line = new Line { Color = colour, Width = 2 },
        Marker = new Marker { Color = colour, Size = 7 },
    };

    private static Plotly.Blazor.Layout Layout(string x, string y, bool logX) => new()
    {
        Margin = new Margin { L = 60, R = 20, T = 20, B = 50 },
        HoverMode = HoverModeEnum.Closest,
        ShowLegend = true,
        PaperBgColor = "rgba(0,0,0,0)",
        PlotBgColor = "rgba(0,0,0,0)",
        XAxis = [new XAxis
        {
            Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = x },
            Type = logX ? Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Log : Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Linear,
        }],
        YAxis = [new YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = y } }],
    };
}
