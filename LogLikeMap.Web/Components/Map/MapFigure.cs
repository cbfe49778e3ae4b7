using System.Globalization;
using System.Net;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterGlLib;
using Plotly.Blazor.Traces.ScatterGlLib.MarkerLib;

namespace LogLikeMap.Web.Components.Map;

/// <summary>
/// The Plotly traces for one view of the map, and which model each drawn point is, so a click on
/// (trace, point) finds its model. WebGL traces (scattergl) keep thousands of points smooth.
/// </summary>
public sealed class MapFigure
{
    private const decimal PointSize = 8;

    /// <summary>
    /// Rings around the selected model and its neighbours: saturated cyan and magenta, which no family or colour bar gets
    /// (<see cref="CategoryPalette.Colours"/> is Tableau's muted 20, Viridis runs purple to yellow), so a ring never reads
    /// as a family.
    /// </summary>
    public const string NeighbourRing = "#00e5ff";

    /// <inheritdoc cref="NeighbourRing"/>
    public const string SelectedRing = "#ff00ff";
    private readonly List<IReadOnlyList<string>> _modelsOfTrace = [];

    private MapFigure()
    {
    }

    public IList<ITrace> Traces { get; } = new List<ITrace>();

    /// <summary>Which model the clicked point is, or null for a point that is no model (a neighbour line).</summary>
    public string? ModelAt(int trace, int point) =>
        trace >= 0 && trace < _modelsOfTrace.Count && point >= 0 && point < _modelsOfTrace[trace].Count
            ? _modelsOfTrace[trace][point]
            : null;

    /// <summary>Where a model is drawn as (trace, point), for Plotly to hover it; its own point before any ring; null when not drawn.</summary>
    public (int Trace, int Point)? PointOf(string model)
    {
        for (var trace = 0; trace < _modelsOfTrace.Count; trace++)
        {
            var point = _modelsOfTrace[trace].ToList().IndexOf(model);
            if (point >= 0)
                return (trace, point);
        }
        return null;
    }

    /// <summary>Draws <paramref name="trace"/> over the map (analysis marks); its points are <paramref name="models"/>, for clicks.</summary>
    public void AddOverlay(ITrace trace, IReadOnlyList<string> models)
    {
        Traces.Add(trace);
        _modelsOfTrace.Add(models);
    }

    /// <param name="models">All models of the current snapshot.</param>
    /// <param name="state">Colouring and hidden families.</param>
    /// <param name="neighbours">The selected model's neighbours, drawn as rings joined to it by lines.</param>
    /// <param name="families">The families' kept colours (<see cref="FamilyPalette"/>); by default, colours in name order.</param>
    public static MapFigure Build(IReadOnlyList<ModelPoint> models, MapViewState state, IReadOnlyList<Neighbour> neighbours,
        CategoryPalette? families = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(neighbours);
        var figure = new MapFigure();
        var shown = models.Where(m => !state.HiddenFamilies.Contains(m.Family)).ToList();

        switch (state.Colouring)
        {
            case MapColouring.Family:
                families ??= MapLegend.FamilyPalette(models);
                foreach (var group in shown.GroupBy(m => m.Family).OrderBy(g => g.Key, StringComparer.Ordinal))
                    figure.AddPoints(group.Key, group.ToList(), new Marker { Color = families.ColourOf(group.Key) });
                break;
            case MapColouring.StrongestDomain or MapColouring.Change or MapColouring.Data:
                var categories = MapLegend.PaletteOf(models, state.Colouring);
                foreach (var group in shown.GroupBy(m => state.Colouring.CategoryOf(m) ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal))
                    figure.AddPoints(group.Key, group.ToList(), new Marker { Color = categories.ColourOf(group.Key) });
                break;
            default:
                figure.AddColourBarPoints(shown, NumericColourAxis.For(state.Colouring, shown));
                break;
        }

        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        if (state.Selected is not null && byName.TryGetValue(state.Selected, out var selected))
            figure.AddSelection(selected, neighbours.Where(n => byName.ContainsKey(n.Name)).Select(n => byName[n.Name]).ToList());
        return figure;
    }

    private void AddPoints(string name, IReadOnlyList<ModelPoint> points, Marker marker)
    {
        marker.Size = PointSize;
        // Provisional placements (out-of-sample, before the next full t-SNE) are diamonds; the legend says so.
        marker.SymbolArray = points.Select(p => (SymbolEnum?)(p.Provisional ? SymbolEnum.Diamond : SymbolEnum.Circle)).ToList();
        Traces.Add(new ScatterGl
        {
            Name = name,
            Mode = ModeFlag.Markers,
            X = points.Select(p => (object)p.X).ToList(),
            Y = points.Select(p => (object)p.Y).ToList(),
            HoverTextArray = points.Select(HoverCard).ToList(),
            HoverTemplate = "%{hovertext}<extra></extra>",
            Marker = marker,
            ShowLegend = false,
        });
        _modelsOfTrace.Add(points.Select(p => p.Name).ToList());
    }

    private void AddColourBarPoints(IReadOnlyList<ModelPoint> shown, NumericColourAxis axis)
    {
        var known = Enumerable.Range(0, shown.Count).Where(axis.HasValue).ToList();
        var unknown = Enumerable.Range(0, shown.Count).Where(i => !axis.HasValue(i)).ToList();
        if (unknown.Count > 0)
            AddPoints("unknown", unknown.Select(i => shown[i]).ToList(), new Marker { Color = CategoryPalette.Unknown });

        AddPoints(axis.Title, known.Select(i => shown[i]).ToList(), new Marker
        {
            ColorArray = known.Select(i => (object)axis.Values[i]).ToList(),
            ColorScale = NumericColourAxis.Scale,
            CMin = (decimal)axis.Min,
            CMax = (decimal)axis.Max,
            ShowScale = true,
            ColorBar = new ColorBar
            {
                Title = new Plotly.Blazor.Traces.ScatterGlLib.MarkerLib.ColorBarLib.Title { Text = axis.Title, Side = Plotly.Blazor.Traces.ScatterGlLib.MarkerLib.ColorBarLib.TitleLib.SideEnum.Right },
                TickVals = axis.TickValues?.Cast<object>().ToList(),
                TickText = axis.TickLabels?.Cast<object>().ToList(),
            },
        });
    }

    private void AddSelection(ModelPoint selected, IReadOnlyList<ModelPoint> neighbours)
    {
        // Lines from the selected model to each neighbour; null breaks the line between segments.
        var lineX = new List<object>();
        var lineY = new List<object>();
        foreach (var n in neighbours)
        {
            lineX.AddRange([selected.X, n.X, null!]);
            lineY.AddRange([selected.Y, n.Y, null!]);
        }

        if (neighbours.Count > 0)
        {
            Traces.Add(new ScatterGl
            {
                Name = "neighbour links",
                Mode = ModeFlag.Lines,
                X = lineX,
                Y = lineY,
                Line = new Plotly.Blazor.Traces.ScatterGlLib.Line { Color = "rgba(120,120,120,0.6)", Width = 1 },
                HoverInfo = HoverInfoFlag.Skip,
                ShowLegend = false,
            });
            _modelsOfTrace.Add([]);
            AddRing("neighbours", neighbours, 16, NeighbourRing);
        }

        AddRing("selected", [selected], 22, SelectedRing);
    }

    private void AddRing(string name, IReadOnlyList<ModelPoint> points, decimal size, string colour)
    {
        Traces.Add(new ScatterGl
        {
            Name = name,
            Mode = ModeFlag.Markers,
            X = points.Select(p => (object)p.X).ToList(),
            Y = points.Select(p => (object)p.Y).ToList(),
            HoverTextArray = points.Select(HoverCard).ToList(),
            HoverTemplate = "%{hovertext}<extra></extra>",
            Marker = new Marker
            {
                Size = size,
                Symbol = SymbolEnum.CircleOpen,
                Color = colour,
                Line = new Plotly.Blazor.Traces.ScatterGlLib.MarkerLib.Line { Color = colour, Width = 3 },
            },
            ShowLegend = false,
        });
        _modelsOfTrace.Add(points.Select(p => p.Name).ToList());
    }

    /// <summary>The hover card: name, family, architecture, size and mean log-likelihood (HTML-escaped names, long ones wrapped).</summary>
    public static string HoverCard(ModelPoint model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var provisional = model.Provisional ? "<br><i>provisional placement</i>" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"<b>{ModelFormat.HoverLines(model.Name)}</b><br>{ModelFormat.HoverLines(model.Family)} · {WebUtility.HtmlEncode(model.Architecture ?? "unknown architecture")}<br>{ModelFormat.Parameters(model.Parameters)} parameters<br>mean log-likelihood {ModelFormat.LogLikelihood(model.MeanLogLikelihood)}{provisional}");
    }
}
