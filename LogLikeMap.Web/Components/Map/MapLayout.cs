using Plotly.Blazor.LayoutLib;

namespace LogLikeMap.Web.Components.Map;

/// <summary>The Plotly layout of the map: axes named for what they are, no units, no legend (the page draws its own).</summary>
public static class MapLayout
{
    public const string XTitle = "t-SNE 1";
    public const string YTitle = "t-SNE 2";

    public static Plotly.Blazor.Layout Create() => new()
    {
        // Room on the left and below for the axis titles.
        Margin = new Margin { L = 36, R = 10, T = 10, B = 36 },
        HoverMode = HoverModeEnum.Closest,
        DragMode = DragModeEnum.Zoom,
        ShowLegend = false,
        PaperBgColor = "rgba(0,0,0,0)",
        PlotBgColor = "rgba(0,0,0,0)",
        // t-SNE axes have no units: keep the grid for orientation and the axes' names, drop the numbers.
        XAxis = [new XAxis { ShowTickLabels = false, ZeroLine = false, Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = XTitle } }],
        YAxis = [new YAxis { ShowTickLabels = false, ZeroLine = false, Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = YTitle } }],
    };
}
