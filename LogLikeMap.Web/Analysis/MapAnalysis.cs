using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Analysis;

/// <summary>
/// Computes the map's findings (<see cref="MapFindings"/>) and its resampling curve off the pages' threads and keeps
/// them per map snapshot: a layout, a placed upload or a removal makes a new snapshot, a scores import a new scores
/// version; anything else (a click, another page) reads the cached result. Whoever asks first starts the computation
/// (<see cref="AnalysisRefresh"/> asks after every change of the map, so it is usually ready); those who ask while it
/// runs share it, and <see cref="Subscribe"/>rs hear when new findings are ready.
/// </summary>
public sealed class MapAnalysis(
    ModelMapService map, BenchmarkScores scores, ModelCatalog catalog, IOptions<AnalysisOptions> options, ILogger<MapAnalysis> logger)
{
    /// <summary>The follow-up's neighbour count for the overlap (docs/method.md §5.1), fewer on a smaller map.</summary>
    public const int ResamplingNeighbours = 10;

    /// <summary>The smallest reduced text set the curve goes down to (README: the zoo's 50 texts).</summary>
    public const int ResamplingSmallest = 50;

    private readonly Lock _gate = new();
    private readonly Subscribers<MapFindings> _ready = new(logger);
    private Cached<MapFindings>? _findings;
    private Cached<ResamplingCurve>? _resampling;
    private MapFindings? _latest;

    /// <summary>The latest findings computed (possibly of an earlier snapshot), or null before the first.</summary>
    public MapFindings? Latest => Volatile.Read(ref _latest);

    /// <summary>Hears of each new set of findings once it is computed; dispose the result to stop.</summary>
    public IDisposable Subscribe(Func<MapFindings, Task> onReady) => _ready.Subscribe(onReady);

    /// <summary>The findings for the map as it is now, computing them unless they are cached or under way.</summary>
    public Task<MapFindings> FindingsAsync(CancellationToken cancellationToken)
    {
        var state = map.State;
        var version = scores.Version;
        lock (_gate)
        {
            if (_findings is not { } cached || !ReferenceEquals(cached.Snapshot, state.Snapshot) || cached.ScoresVersion != version)
            {
                cached = new Cached<MapFindings>(state.Snapshot, version, Task.Run(() => ComputeAndPublishAsync(state)));
                _findings = cached;
            }
            return cached.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The resampling curve of the current layout's Q (computed on first request, then kept per snapshot).</summary>
    public Task<ResamplingCurve> ResamplingAsync(CancellationToken cancellationToken)
    {
        var state = map.State;
        lock (_gate)
        {
            if (_resampling is not { } cached || !ReferenceEquals(cached.Snapshot, state.Snapshot))
            {
                cached = new Cached<ResamplingCurve>(state.Snapshot, 0, Task.Run(() => Resample(state)));
                _resampling = cached;
            }
            return cached.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task<MapFindings> ComputeAndPublishAsync(MapState state)
    {
        var findings = await ComputeAsync(state);
        // Latest first, then the news: a page that subscribes meanwhile reads it from Latest.
        Volatile.Write(ref _latest, findings);
        await _ready.PublishAsync(findings);
        return findings;
    }

    private async Task<MapFindings> ComputeAsync(MapState state)
    {
        var threshold = options.Value.LeakageThreshold;
        // The runs as the trajectories endpoint finds them, so the map, the page and the API agree.
        var trajectories = AnalysisApi.GetTrajectories(map).Value!.Trajectories;
        var empty = new MapFindings(state.Snapshot, null, null, null, null, [], null, threshold, trajectories);
        if (state.Snapshot.Models.Count == 0)
            return empty with { PredictionProblem = "The map holds no model yet." };

        var loaded = await scores.LoadAsync(CancellationToken.None);
        if (loaded is null)
        {
            return empty with
            {
                PredictionProblem = "No benchmark scores are known: import a scores CSV (model,<target>,...) or model-data-1018.pkl (POST /api/analysis/scores), or set Analysis:ScoresFile.",
            };
        }
        var stored = await catalog.ReadMatrixAsync(state.Texts.TextSetId, CancellationToken.None);
        var table = OnMap(loaded.Table, stored.Matrix.ModelNames, state.Snapshot);
        var settings = new PredictionOptions(IntervalLevel: options.Value.IntervalLevel);
        var findings = empty with { ScoresSource = loaded.Source, Scores = table };
        if (FamiliesWithEveryScore(table) is var families && families < settings.Folds)
        {
            // GroupKFold needs a family per fold; with fewer, hold out models rather than fail (docs/method.md §3.1's contrast).
            table = table with { Groups = null };
            findings = findings with
            {
                FoldsNote = $"Only {families} families have every score, fewer than the {settings.Folds} folds: models are held out by plain k-fold, not by family.",
            };
        }
        PredictionResult prediction;
        try
        {
            prediction = BenchmarkPrediction.Run(stored.Matrix, table, settings, CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or AggregateException)
        {
            // Scores the prediction cannot use (too few models, a fold without a family...): say so, keep the map.
            return findings with { PredictionProblem = (e as AggregateException)?.InnerExceptions[0].Message ?? e.Message };
        }
        findings = findings with { Prediction = prediction };
        try
        {
            return findings with { Leakage = LeakageFlags.FromPrediction(stored.Matrix, table, prediction, threshold) };
        }
        catch (ArgumentException e)
        {
            return findings with { LeakageProblem = e.Message };
        }
    }

    /// <summary>
    /// The scores of the models the matrix holds (an imported file may name others), grouped by the file's family
    /// column or else by the map's families, so the cross-validation holds out whole families (docs/method.md §3.1).
    /// </summary>
    private static ScoreTable OnMap(ScoreTable table, IReadOnlyList<string> modelsInMatrix, MapSnapshot snapshot)
    {
        var inMatrix = modelsInMatrix.ToHashSet(StringComparer.Ordinal);
        var kept = table.Scores.Where(s => inMatrix.Contains(s.Key)).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        var groups = table.Groups
            ?? snapshot.Models.ToDictionary(m => m.Name, m => m.Family, StringComparer.Ordinal);
        return new ScoreTable(table.Targets, kept, groups.Where(g => kept.ContainsKey(g.Key)).ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal));
    }

    private static int FamiliesWithEveryScore(ScoreTable table) =>
        table.Groups is null
            ? int.MaxValue
            : table.Scores.Where(s => s.Value.All(v => v.HasValue) && table.Groups.ContainsKey(s.Key)).Select(s => table.Groups[s.Key]).Distinct().Count();

    private static ResamplingCurve Resample(MapState state)
    {
        if (state.LaidOut is not { } q || q.ModelCount < 3)
            return new ResamplingCurve(state.Snapshot, 0, [], "The curve needs a laid-out map of at least 3 models.");
        var smallest = Math.Max(2, Math.Min(ResamplingSmallest, q.TextCount / 4));
        var neighbours = Math.Min(ResamplingNeighbours, q.ModelCount - 1);
        try
        {
            return new ResamplingCurve(state.Snapshot, neighbours, TextResampling.Curve(q, smallest, neighbours, 0, CancellationToken.None), null);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // Too few texts with any variance across the models for the smallest size.
            return new ResamplingCurve(state.Snapshot, neighbours, [], e.Message);
        }
    }

    private sealed record Cached<T>(MapSnapshot Snapshot, int ScoresVersion, Task<T> Task);
}

/// <summary>
/// How a reduced text set's KL and neighbours agree with the full set's as the number of texts falls, for the
/// variance rule and uniform draws (docs/method.md §5.1; seed 0, as <c>loglikemap textset resample</c>).
/// </summary>
/// <param name="Neighbours">k of the k-NN overlap.</param>
/// <param name="Problem">Why there is no curve, in words.</param>
public sealed record ResamplingCurve(MapSnapshot Snapshot, int Neighbours, IReadOnlyList<ResamplingAgreement> Points, string? Problem);
