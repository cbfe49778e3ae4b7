using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Analysis;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Services;
using Plotly.Blazor.Traces;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Analysis;

public sealed class AnalysisMarksTests
{
    private static readonly ModelPoint[] Models =
    [
        Model("run-step1", "run", 0, 0), Model("run-step2", "run", 1, 2), Model("run-step3", "run", 3, 1),
        Model("leaky", "opt", 5, 5), Model("other", "gpt2", 6, 6), Model("hidden-leak", "llama", 7, 7),
    ];

    // The run's points listed out of step order on purpose: the path must follow the steps it carries.
    private static readonly MapFindings Findings = new(
        new MapSnapshot(1, "t", 10, 100, Models, [], DateTimeOffset.UnixEpoch), null, null, null, null,
        [Check("leaky", 5), Check("other", 1), Check("hidden-leak", 9)], null, 3.5,
        [new Trajectory("run", [Point("run-step1", 1), Point("run-step2", 2), Point("run-step3", 3)])]);

    [Fact]
    public void Flagged_models_get_a_red_x_at_their_point_that_selects_them()
    {
        var figure = MapFigure.Build(Models, MapViewState.Default.WithFamilyToggled("llama"), []);
        var before = figure.Traces.Count;

        AnalysisMarks.AddTo(figure, Models, MapViewState.Default.WithFamilyToggled("llama"), Findings, showRuns: false);

        // Only "leaky": "other" is under the threshold, "hidden-leak" is in a hidden family.
        var mark = Assert.IsType<ScatterGl>(Assert.Single(figure.Traces.Skip(before)));
        Assert.Equal("leakage flags", mark.Name);
        Assert.Equal([5.0], mark.X.Cast<double>());
        Assert.Equal([5.0], mark.Y.Cast<double>());
        Assert.Equal(Plotly.Blazor.Traces.ScatterGlLib.MarkerLib.SymbolEnum.XOpen, mark.Marker.Symbol);
        Assert.Equal("leaky", figure.ModelAt(before, 0));
    }

    [Fact]
    public void Runs_are_drawn_only_when_asked_as_paths_through_the_checkpoints_in_step_order()
    {
        var without = MapFigure.Build(Models, MapViewState.Default, []);
        AnalysisMarks.AddTo(without, Models, MapViewState.Default, Findings, showRuns: false);
        Assert.DoesNotContain(without.Traces.Cast<ScatterGl>(), t => t.Name == "run run");

        var with = MapFigure.Build(Models, MapViewState.Default, []);
        var before = with.Traces.Count;
        AnalysisMarks.AddTo(with, Models, MapViewState.Default, Findings, showRuns: true);

        var path = with.Traces.Skip(before).Cast<ScatterGl>().Single(t => t.Name == "run run");
        Assert.Equal([0.0, 1, 3], path.X.Cast<double>());
        Assert.Equal([0.0, 2, 1], path.Y.Cast<double>());
        Assert.Equal("run-step2", with.ModelAt(before, 1));
    }

    [Fact]
    public void Without_findings_the_map_is_drawn_alone()
    {
        var figure = MapFigure.Build(Models, MapViewState.Default, []);
        var before = figure.Traces.Count;

        AnalysisMarks.AddTo(figure, Models, MapViewState.Default, null, showRuns: true);

        Assert.Equal(before, figure.Traces.Count);
    }

    private static LeakageCheck Check(string model, double z) => new(model, -500, -510, 10, z, z > 3.5);

    private static TrajectoryPoint Point(string model, long step) => new(model, step, null, step, 3 - step);
}
