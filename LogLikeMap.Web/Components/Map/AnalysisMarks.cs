using System.Globalization;
using System.Net;
using LogLikeMap.Web.Analysis;
using LogLikeMap.Web.Services;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterGlLib;
using Plotly.Blazor.Traces.ScatterGlLib.MarkerLib;

namespace LogLikeMap.Web.Components.Map;

/// <summary>
/// What the map's findings add to the picture: a red × over every model flagged for leakage (docs/method.md §3.3), and,
/// when asked for, each training run as a path through its checkpoints in step order (§5.2). Only models shown (not in a
/// hidden family) are marked; a click on a mark selects its model.
/// </summary>
public static class AnalysisMarks
{
    public const string LeakageColour = "#d50000";
    public const string RunColour = "rgba(60,60,60,0.75)";

    /// <summary>
    /// Hears of new findings where the host computes them (<see cref="MapAnalysis"/>, kept fresh by
    /// <see cref="AnalysisRefresh"/>); <paramref name="latest"/> is what is ready now. Null where the host has no analyses.
    /// </summary>
    public static IDisposable? Subscribe(IServiceProvider services, Func<MapFindings, Task> onReady, out MapFindings? latest)
    {
        ArgumentNullException.ThrowIfNull(services);
        var analysis = services.GetService(typeof(MapAnalysis)) as MapAnalysis;
        // Subscribe first, then read: findings finished in between are still heard of.
        var subscription = analysis?.Subscribe(onReady);
        latest = analysis?.Latest;
        return subscription;
    }

    public static void AddTo(MapFigure figure, IReadOnlyList<ModelPoint> models, MapViewState state, MapFindings? findings, bool showRuns)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(state);
        if (findings is null)
            return;
        var shown = models.Where(m => !state.HiddenFamilies.Contains(m.Family)).ToDictionary(m => m.Name, StringComparer.Ordinal);

        if (showRuns)
        {
            foreach (var run in findings.Trajectories)
            {
                var points = run.Points.Where(p => shown.ContainsKey(p.Model)).ToList();
                if (points.Count < 2)
                    continue;
                figure.AddOverlay(new ScatterGl
                {
                    Name = "run " + run.Run,
                    Mode = ModeFlag.Lines | ModeFlag.Markers,
                    X = [.. points.Select(p => (object)shown[p.Model].X)],
                    Y = [.. points.Select(p => (object)shown[p.Model].Y)],
                    HoverTextArray = [.. points.Select(p => string.Create(CultureInfo.InvariantCulture,
                        $"<b>{WebUtility.HtmlEncode(p.Model)}</b><br>run {WebUtility.HtmlEncode(run.Run)}, step {p.Step}<br>KL from the first checkpoint {ModelFormat.KlNats(p.KlFromStart)} nats"))],
                    HoverTemplate = "%{hovertext}<extra></extra>",
                    Line = new Plotly.Blazor.Traces.ScatterGlLib.Line { Color = RunColour, Width = 2 },
                    Marker = new Marker { Size = 4, Color = RunColour },
                    ShowLegend = false,
                }, [.. points.Select(p => p.Model)]);
            }
        }

        var flagged = findings.Flagged.Where(l => shown.ContainsKey(l.Model)).ToList();
        if (flagged.Count > 0)
        {
            figure.AddOverlay(new ScatterGl
            {
                Name = "leakage flags",
                Mode = ModeFlag.Markers,
                X = [.. flagged.Select(l => (object)shown[l.Model].X)],
                Y = [.. flagged.Select(l => (object)shown[l.Model].Y)],
                HoverTextArray = [.. flagged.Select(l => string.Create(CultureInfo.InvariantCulture,
                    $"<b>{WebUtility.HtmlEncode(l.Model)}</b><br>leakage flag: robust z {l.RobustZ:0.0} > {findings.LeakageThreshold:0.0}"))],
                HoverTemplate = "%{hovertext}<extra></extra>",
                Marker = new Marker
                {
                    Size = 18,
                    Symbol = SymbolEnum.XOpen,
                    Color = LeakageColour,
                    Line = new Plotly.Blazor.Traces.ScatterGlLib.MarkerLib.Line { Color = LeakageColour, Width = 2 },
                },
                ShowLegend = false,
            }, [.. flagged.Select(l => l.Model)]);
        }
    }
}
