using System.Globalization;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Components.Map;

/// <summary>
/// The numbers behind a colour bar: one value per model (NaN where the model lacks it), the range of the bar
/// and, where plain numbers would mislead, the tick positions and their labels.
/// </summary>
public sealed record NumericColourAxis(
    string Title, IReadOnlyList<double> Values, double Min, double Max,
    IReadOnlyList<double>? TickValues, IReadOnlyList<string>? TickLabels)
{
    /// <summary>Plotly's Viridis: ordered, readable by colour-blind viewers, and dark-to-light on both themes.</summary>
    public const string Scale = "Viridis";

    public bool HasValue(int model) => !double.IsNaN(Values[model]);

    public static NumericColourAxis For(MapColouring colouring, IReadOnlyList<ModelPoint> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return colouring switch
        {
            MapColouring.MeanLogLikelihood => Plain("Mean log-likelihood (nats per text)", models.Select(m => m.MeanLogLikelihood)),
            MapColouring.Parameters => ParameterAxis(models),
            MapColouring.Created => DateAxis(models),
            _ => throw new ArgumentException($"{colouring} is categorical; it has a legend, not a colour bar.", nameof(colouring)),
        };
    }

    private static NumericColourAxis Plain(string title, IEnumerable<double> values)
    {
        var list = values.ToList();
        var (min, max) = RangeOf(list);
        return new NumericColourAxis(title, list, min, max, null, null);
    }

    /// <summary>
    /// Sizes span orders of magnitude, so the bar is log10 with ticks at whole decades labelled 10M, 1B...; a range with
    /// fewer than two decades in it gets ticks at 1, 2 and 5 x 10^k, and failing those its two ends, so the bar never shows
    /// one lone tick or raw logarithms. Ticks whose labels would read alike are shown once.
    /// </summary>
    private static NumericColourAxis ParameterAxis(IReadOnlyList<ModelPoint> models)
    {
        var values = models.Select(m => m.Parameters is > 0 ? Math.Log10(m.Parameters.Value) : double.NaN).ToList();
        var (min, max) = RangeOf(values);
        var ticks = LogTicks(min, max, [1]);
        if (ticks.Count < 2)
            ticks = LogTicks(min, max, [1, 2, 5]);
        if (ticks.Count < 2)
            ticks = min == max ? [min] : [min, max];
        var labelled = ticks.Select(t => (Tick: t, Label: ModelFormat.Parameters((long)Math.Round(Math.Pow(10, t)))))
            .DistinctBy(t => t.Label).ToList();
        return new NumericColourAxis("Parameters (log scale)", values, min, max,
            labelled.Select(t => t.Tick).ToList(), labelled.Select(t => t.Label).ToList());
    }

    /// <summary>log10 of every m x 10^k (m in <paramref name="mantissas"/>) from 10^min to 10^max.</summary>
    private static List<double> LogTicks(double min, double max, int[] mantissas)
    {
        const double slack = 1e-9; // log10(1e9) may come out a hair under 9
        var ticks = new List<double>();
        for (var decade = Math.Floor(min); decade <= Math.Ceiling(max); decade++)
        {
            foreach (var mantissa in mantissas)
            {
                var tick = decade + Math.Log10(mantissa);
                if (tick >= min - slack && tick <= max + slack)
                    ticks.Add(tick);
            }
        }
        return ticks;
    }

    /// <summary>
    /// Dates become days since 1970 for the colour. Up to five evenly spaced dates label the bar, each moved to the start
    /// of its day so a tick sits on the date it names; a range of a few days thus gets each date once, and a single day one tick.
    /// </summary>
    private static NumericColourAxis DateAxis(IReadOnlyList<ModelPoint> models)
    {
        var values = models.Select(m => m.Created is { } c ? c.ToUnixTimeSeconds() / 86_400.0 : double.NaN).ToList();
        var (min, max) = RangeOf(values);
        const int tickCount = 5;
        var ticks = Enumerable.Range(0, tickCount).Select(i => Math.Round(min + (max - min) * i / (tickCount - 1)))
            .Where(t => t >= min && t <= max).Distinct().ToList();
        if (ticks.Count == 0)
            ticks = [min];
        var labels = ticks.Select(t => DateTimeOffset.FromUnixTimeSeconds((long)Math.Round(t * 86_400))
            .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        return new NumericColourAxis("Creation date", values, min, max, ticks, labels);
    }

    private static (double Min, double Max) RangeOf(IReadOnlyList<double> values)
    {
        var known = values.Where(v => !double.IsNaN(v)).ToList();
        return known.Count == 0 ? (0, 1) : (known.Min(), known.Max());
    }
}
