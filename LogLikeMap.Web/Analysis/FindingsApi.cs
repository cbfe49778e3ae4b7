using System.Text;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogLikeMap.Web.Analysis;

/// <summary>
/// The map's findings over HTTP (docs/method.md §3, §5): benchmark prediction, leakage, trajectories and the resampling
/// curve as JSON and CSV, and, for administrators, the import of benchmark scores.
/// </summary>
public static class FindingsApi
{
    public static IEndpointRouteBuilder MapFindingsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/analysis").WithTags("Analysis");
        api.MapGet("/findings", FindingsAsync)
            .WithSummary("Where the benchmark scores come from, the held-out Pearson and Spearman per target, the leakage threshold and the flagged models.");
        api.MapGet("/models/{name}", ModelAsync)
            .WithSummary("One model's scores (its own, or predicted with a split-conformal interval), leakage check and place on a training run.");
        api.MapGet("/{table}.csv", CsvAsync)
            .WithSummary("predictions (held out) | unscored | leakage | trajectories | resampling as CSV.");
        api.MapPost("/scores", ImportScoresAsync).RequireAuthorization(AdminPolicy.Name).DisableAntiforgery()
            .WithSummary("Imports benchmark scores (multipart field 'file'): a CSV model,[family,]<target>,... or model-data-1018.pkl. They replace earlier ones.");
        return app;
    }

    public static async Task<Ok<FindingsSummary>> FindingsAsync(MapAnalysis analysis, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var findings = await analysis.FindingsAsync(ct);
        return TypedResults.Ok(new FindingsSummary(
            findings.Snapshot.Version, findings.ScoresSource, findings.Prediction?.Targets ?? findings.Scores?.Targets ?? [],
            findings.Prediction?.Summary ?? new Dictionary<string, TargetSummary>(), findings.Prediction?.ScoredModels.Count ?? 0,
            findings.PredictionProblem, findings.LeakageThreshold, findings.Flagged, findings.LeakageProblem, findings.FoldsNote));
    }

    public static async Task<Results<Ok<ModelFindings>, ProblemHttpResult>> ModelAsync(string name, MapAnalysis analysis, IModelMapService map, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(map);
        var modelName = ModelsApi.ModelNameOf(name);
        if (!map.Current.Models.Any(m => m.Name == modelName))
            return TypedResults.Problem($"No model named '{modelName}' is on the map; GET /api/models lists the names.", statusCode: StatusCodes.Status404NotFound, title: "Unknown model");
        var findings = await analysis.FindingsAsync(ct);
        return TypedResults.Ok(findings.For(modelName));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CsvAsync(string table, MapAnalysis analysis, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        string? csv;
        if (table == "resampling")
        {
            var curve = await analysis.ResamplingAsync(ct);
            csv = curve.Problem is null ? AnalysisCsv.Resampling(curve) : null;
            if (csv is null)
                return TypedResults.Problem(curve.Problem, statusCode: StatusCodes.Status409Conflict, title: "No resampling curve");
        }
        else
        {
            var findings = await analysis.FindingsAsync(ct);
            if (table is "predictions" or "unscored" && findings.Prediction is null)
                return TypedResults.Problem(findings.PredictionProblem, statusCode: StatusCodes.Status409Conflict, title: "No prediction");
            csv = table switch
            {
                "predictions" => AnalysisCsv.HeldOut(findings.Prediction!),
                "unscored" => AnalysisCsv.Unscored(findings.Prediction!),
                "leakage" => AnalysisCsv.Leakage(findings.Leakage),
                "trajectories" => AnalysisCsv.Trajectories(findings.Trajectories),
                _ => null,
            };
            if (csv is null)
                return TypedResults.Problem($"'{table}.csv' is not a table here; choose predictions, unscored, leakage, trajectories or resampling.", statusCode: StatusCodes.Status404NotFound, title: "Unknown table");
        }
        return TypedResults.File(Encoding.UTF8.GetBytes(csv), "text/csv", $"{table}.csv");
    }

    public static async Task<Results<Ok<ScoresImported>, ProblemHttpResult>> ImportScoresAsync(
        IFormFile file, BenchmarkScores scores, IModelMapService map, AnalysisRefresh refresh, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(refresh);
        var onMap = map.Current.Models.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        ScoreTable table;
        try
        {
            await using var stream = file.OpenReadStream();
            table = await scores.ImportAsync(stream, file.FileName, onMap, ct);
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Scores refused");
        }
        refresh.Request();
        return TypedResults.Ok(new ScoresImported(table.Scores.Count, table.Scores.Keys.Count(onMap.Contains), table.Targets, table.Groups is not null));
    }
}

/// <param name="LayoutVersion">The stored layout version the findings are for.</param>
/// <param name="ScoredModels">Models with every target (and a group), which the prediction is trained and checked on.</param>
/// <param name="FoldsNote">Why the cross-validation does not hold out whole families, when it does not.</param>
public sealed record FindingsSummary(
    int LayoutVersion, string? ScoresSource, IReadOnlyList<string> Targets, IReadOnlyDictionary<string, TargetSummary> Summary,
    int ScoredModels, string? PredictionProblem, double LeakageThreshold, IReadOnlyList<LeakageCheck> Flagged, string? LeakageProblem,
    string? FoldsNote);

/// <param name="Models">Rows in the file.</param>
/// <param name="OnMap">Of those, models on the map (the others are kept but unused).</param>
/// <param name="Grouped">Whether the file has a family column (else the map's families group the cross-validation).</param>
public sealed record ScoresImported(int Models, int OnMap, IReadOnlyList<string> Targets, bool Grouped);
