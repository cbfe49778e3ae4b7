using System.Globalization;
using LogLikeMap.Core.Analysis;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace LogLikeMap.Web.Components.Analysis;

/// <summary>
/// The paper's interpolation figure (docs/method.md §3.6): a grid's models in its 2-D PCA coordinates, joined along
/// lines of constant α and of constant β, so a linear structure shows as a regular mesh and a bend as a warped one.
/// </summary>
public static class InterpolationFigure
{
    private const string AlphaColour = "#1f77b4";
    private const string BetaColour = "#ff7f0e";

    public static IList<ITrace> Traces(IReadOnlyList<GridPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var traces = new List<ITrace>();
        foreach (var line in points.GroupBy(p => p.Alpha).OrderBy(g => g.Key))
            traces.Add(Line(line.OrderBy(p => p.Beta).ToList(), AlphaColour, string.Create(CultureInfo.InvariantCulture, $"α = {line.Key:0.0#}")));
        foreach (var line in points.GroupBy(p => p.Beta).OrderBy(g => g.Key))
            traces.Add(Line(line.OrderBy(p => p.Alpha).ToList(), BetaColour, string.Create(CultureInfo.InvariantCulture, $"β = {line.Key:0.0#}")));
        traces.Add(new Scatter
        {
            Name = "models",
            Mode = ModeFlag.Markers,
            X = points.Select(p => (object)p.X).ToList(),
            Y = points.Select(p => (object)p.Y).ToList(),
            HoverTextArray = points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Model}<br>α = {p.Alpha:0.0#}, β = {p.Beta:0.0#}")).ToList(),
            HoverTemplate = "%{hovertext}<extra></extra>",
            Marker = new Marker { Size = 8, Color = "#333333" },
            ShowLegend = false,
        });
        return traces;
    }

    private static Scatter Line(IReadOnlyList<GridPoint> points, string colour, string name) => new()
    {
        Name = name,
        Mode = ModeFlag.Lines,
        X = points.Select(p => (object)p.X).ToList(),
        Y = points.Select(p => (object)p.Y).ToList(),
        Line = new Plotly.Blazor.Traces.ScatterLib.Line { Color = colour, Width = 1 },
        HoverInfo = HoverInfoFlag.Skip,
        ShowLegend = false,
    };
}
