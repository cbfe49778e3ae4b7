using LogLikeMap.Core.Map;
using LogLikeMap.Web.Analysis;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using Plotly.Blazor;
using Plotly.Blazor.ConfigLib;
using Plotly.Blazor.Interop;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.LayoutLib.XAxisLib;

namespace LogLikeMap.Web.Components.Pages;

/// <summary>
/// The map of models. All view state lives in <see cref="MapViewState"/>, mirrored in the URL (history replaced, so
/// Back leaves the map rather than stepping through zooms). State changes are synchronous; the Plotly chart is
/// redrawn afterwards in <see cref="OnAfterRenderAsync"/>, the one place that talks to JavaScript.
/// </summary>
public sealed partial class MapPage
{
    private const string ChartId = "model-map";

    private readonly List<ITrace> _traces = [];
    private readonly Config _config = new()
    {
        Responsive = true,
        DisplayLogo = false,
        ScrollZoom = ScrollZoomFlag.Cartesian,
        ModeBarButtonsToRemove = new[] { "select2d", "lasso2d" },
    };

    private readonly Plotly.Blazor.Layout _layout = MapLayout.Create();

    private PlotlyChart? _chart;
    private MapSnapshot _snapshot = default!;
    private MapViewState _state = MapViewState.Default;
    private MapFigure _figure = default!;
    private CategoryPalette _families = default!;
    private ModelPoint? _selected;
    private ModelPoint? _found;
    private IReadOnlyList<Neighbour> _neighbours = [];
    private LogLikeMap.Core.Map.LineageMatch? _lineage;
    private bool _neighboursPreparing;
    private bool _chartStale;
    private bool _plotCreated;
    private bool _eventsSubscribed;
    private IDisposable? _mapChanges;
    private bool? _chartDarkMode;
    private bool? _chartFullWidth;
    private DotNetObjectReference<MapPage>? _self;
    private MapFindings? _findings;
    private bool _showRuns;
    private IDisposable? _findingsReady;

    [Inject]
    private IModelMapService MapService { get; set; } = default!;

    [Inject]
    private FamilyPalette FamilyColours { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    // Optional: hosts without the analyses (component tests) draw the map alone.
    [Inject]
    private IServiceProvider Services { get; set; } = default!;

    [CascadingParameter(Name = "DarkMode")]
    private bool DarkMode { get; set; }

    protected override void OnInitialized()
    {
        _snapshot = MapService.Current;
        _findingsReady = AnalysisMarks.Subscribe(Services, OnFindingsReady, out _findings);
        Apply(MapViewState.Parse(new Uri(Navigation.Uri).Query), writeUrl: false);
        _mapChanges = MapService.Subscribe(OnMapChanged);
        Navigation.LocationChanged += OnLocationChanged;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_chart is null || !_plotCreated)
            return;
        if (!_eventsSubscribed)
        {
            // Plotly.js can only attach event handlers once the chart has drawn its first plot.
            _eventsSubscribed = true;
            await _chart.SubscribeClickEvent();
            await _chart.SubscribeRelayoutEvent();
            _self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("llmMap.watch", ChartId, _self);
        }

        if (_chartStale || _chartDarkMode != DarkMode)
        {
            _chartStale = false;
            _chartDarkMode = DarkMode;
            UpdateLayout();
            await _chart.React();
        }

        // The map's column narrows when the side panel opens and widens when it closes; Plotly re-measures its
        // container only on window resizes (config.responsive), so ask it to (plotly.js Plots.resize).
        var fullWidth = _selected is null;
        if (_chartFullWidth is { } was && was != fullWidth)
            await JS.InvokeVoidAsync("Plotly.Plots.resize", ChartId);
        _chartFullWidth = fullWidth;
    }

    /// <summary>PlotlyChart drew its first plot: render again so the events get subscribed and the view applied.</summary>
    private void OnPlotCreated()
    {
        _plotCreated = true;
        StateHasChanged();
    }

    public void Dispose()
    {
        _mapChanges?.Dispose();
        _findingsReady?.Dispose();
        Navigation.LocationChanged -= OnLocationChanged;
        _self?.Dispose();
    }

    /// <summary>Esc pressed on the page (map-interactions.js): the selection goes.</summary>
    [JSInvokable]
    public void OnEscape() => Deselect();

    /// <summary>A click on the map away from every point (map-interactions.js): the selection goes.</summary>
    [JSInvokable]
    public void OnEmptyMapClick() => Deselect();

    private void Deselect()
    {
        if (_state.Selected is null)
            return;
        ClearSelection();
        StateHasChanged();
    }

    /// <summary>Shows the hover card of a neighbour whose row the pointer is over, so the row points at its dot; null hides it.</summary>
    private async Task HighlightAsync(string? name)
    {
        if (!_plotCreated)
            return;
        // Hovered by position in data coordinates: WebGL traces (scattergl) find their point under it, while hovering by
        // (curveNumber, pointNumber) shows nothing for them.
        var model = name is null ? null : _snapshot.Models.FirstOrDefault(m => m.Name == name);
        if (model is not null && _figure.PointOf(model.Name) is not null)
            await JS.InvokeVoidAsync("Plotly.Fx.hover", ChartId, new { xval = model.X, yval = model.Y }, "xy");
        else
            await JS.InvokeVoidAsync("Plotly.Fx.unhover", ChartId);
    }

    /// <summary>Makes <paramref name="state"/> the page's state: neighbours, figure, URL; the chart follows after render.</summary>
    private void Apply(MapViewState state, bool writeUrl = true)
    {
        // A link's zoom belongs to the layout version it was made on; after a refresh it is dropped, the rest kept.
        state = MapViewport.ForLayout(state, _snapshot.Version, _snapshot.Models);
        var byName = _snapshot.Models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        _selected = state.Selected is not null && byName.TryGetValue(state.Selected, out var model) ? model : null;
        if (_selected is null && state.Selected is not null)
            state = state with { Selected = null }; // a link to a model that was deleted: show the map without it
        // Right after a restart the neighbour index may still be built: the panel says so and the map's change
        // notification (OnMapChanged) brings the neighbours when it is ready.
        IReadOnlyList<Neighbour>? neighbours = [];
        _neighboursPreparing = _selected is not null && !MapService.TryGetNeighbours(_selected.Name, state.K, out neighbours);
        _neighbours = neighbours ?? [];
        _lineage = _selected is null || _neighboursPreparing ? null : Lineages.Nearest(MapService, _selected.Name);
        _state = state;
        _families = FamilyColours.For(_snapshot.Models.Select(m => m.Family));
        _figure = MapFigure.Build(_snapshot.Models, _state, _neighbours, _families);
        AnalysisMarks.AddTo(_figure, _snapshot.Models, _state, _findings, _showRuns);
        _traces.Clear();
        _traces.AddRange(_figure.Traces);
        _chartStale = true;
        if (writeUrl)
            Navigation.NavigateTo(LinkFor(_state), replace: true);
    }

    private static string LinkFor(MapViewState state) => "/" + state.ToQueryString();

    private string LinkToModel(string name) => LinkFor(_state with { Selected = name });

    private void UpdateLayout()
    {
        var x = _layout.XAxis[0];
        var y = _layout.YAxis[0];
        x.AutoRange = _state.X is null ? AutoRangeEnum.True : AutoRangeEnum.False;
        x.Range = _state.X is { } xr ? [xr.From, xr.To] : null;
        y.AutoRange = _state.Y is null ? Plotly.Blazor.LayoutLib.YAxisLib.AutoRangeEnum.True : Plotly.Blazor.LayoutLib.YAxisLib.AutoRangeEnum.False;
        y.Range = _state.Y is { } yr ? [yr.From, yr.To] : null;
        var grid = DarkMode ? "rgba(255,255,255,0.08)" : "rgba(0,0,0,0.08)";
        x.GridColor = grid;
        y.GridColor = grid;
        _layout.Font = new Font { Color = DarkMode ? "#e0e0e0" : "#333333" };
    }

    private Task<IEnumerable<ModelPoint>> SearchAsync(string? text, CancellationToken ct)
    {
        var models = _snapshot.Models;
        IEnumerable<ModelPoint> found = string.IsNullOrWhiteSpace(text)
            ? models.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            : models.Where(m => m.Name.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase))
                .OrderBy(m => m.Name.StartsWith(text.Trim(), StringComparison.OrdinalIgnoreCase) ? 0 : 1)
                .ThenBy(m => m.Name.Length)
                .ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase);
        return Task.FromResult(found.Take(20));
    }

    private void OnFoundAsync(ModelPoint? model)
    {
        _found = model;
        if (model is not null)
            Apply(MapViewport.CentreOn(_state with { Selected = model.Name }, model, _snapshot.Models));
    }

    private void OnColouringChanged(MapColouring colouring) => Apply(_state with { Colouring = colouring });

    private void OnKChanged(int k) => Apply(_state with { K = Math.Clamp(k, 1, MapViewState.MaxK) });

    private void ToggleFamily(string family) => Apply(_state.WithFamilyToggled(family));

    private void OnShowRunsChanged(bool show)
    {
        _showRuns = show;
        Apply(_state, writeUrl: false);
    }

    // New findings (leakage flags, runs) after a change of the map or of the scores: redraw the marks, same view.
    private Task OnFindingsReady(MapFindings findings) => InvokeAsync(() =>
    {
        _findings = findings;
        Apply(_state, writeUrl: false);
        StateHasChanged();
    });

    private void ResetView() => Apply(_state with { X = null, Y = null });

    private void ClearSelection()
    {
        _found = null;
        Apply(_state with { Selected = null });
    }

    private static string CategoryCaption(MapColouring colouring) => colouring switch
    {
        MapColouring.StrongestDomain => "Colour = text domain where the model is strongest:",
        MapColouring.Change => "Colour = what was done to the model's base:",
        _ => "Colour = what the model (or its change) was trained on:",
    };

    private static string ChipStyle(LegendEntry family) =>
        family.Colour is null || family.Hidden ? string.Empty : $"background-color: {family.Colour}; color: #fff";

    // Plotly.Blazor calls these from JavaScript on the circuit's dispatcher, so state can change here directly.
    private void OnPointClicked(IEnumerable<EventDataPoint> points)
    {
        var point = points.FirstOrDefault();
        if (point is null)
            return;
        var name = _figure.ModelAt(ToInt(point.CurveNumber), ToInt(point.PointNumber));
        if (name is null || name == _state.Selected)
            return;
        Apply(_state with { Selected = name });
        StateHasChanged();
    }

    private void OnRelayout(RelayoutEventData data)
    {
        var zoomed = MapViewport.AfterRelayout(_state, data.XRange, data.YRange, data.RawData) with { LayoutVersion = _snapshot.Version };
        zoomed = MapViewport.ForLayout(zoomed, _snapshot.Version, _snapshot.Models);
        if (zoomed.Equals(_state))
            return;
        // The chart already shows this zoom: only the URL and the stored layout follow it.
        _state = zoomed;
        UpdateLayout();
        Navigation.NavigateTo(LinkFor(_state), replace: true);
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        var state = MapViewState.Parse(new Uri(e.Location).Query);
        if (state.Equals(_state) || !Navigation.ToBaseRelativePath(e.Location).Split('?')[0].Equals(string.Empty, StringComparison.Ordinal))
            return;
        // A followed link (a neighbour): select it and pan there, keeping the zoom level.
        var target = _snapshot.Models.FirstOrDefault(m => m.Name == state.Selected);
        if (target is not null && state.Selected != _state.Selected)
            state = MapViewport.CentreOn(state, target, _snapshot.Models);
        Apply(state);
        StateHasChanged();
    }

    // Called on whichever thread placed the model, which awaits it; the render dispatcher takes it from there
    // (Blazor's documented pattern for outside events), and Apply cannot fail on a consistent snapshot.
    private Task OnMapChanged() => InvokeAsync(() =>
    {
        // A model was placed or removed, or the layout refreshed: redraw from the new snapshot, same view.
        _snapshot = MapService.Current;
        // After a refresh the zoom no longer fits the points: the link loses it too, so a copied link matches the view.
        Apply(_state, writeUrl: !MapViewport.ForLayout(_state, _snapshot.Version, _snapshot.Models).Equals(_state));
        StateHasChanged();
    });

    private static int ToInt(object? value) => value switch
    {
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetInt32(),
        int i => i,
        long l => (int)l,
        double d => (int)d,
        _ => -1,
    };
}
