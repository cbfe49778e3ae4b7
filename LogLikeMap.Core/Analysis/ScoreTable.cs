using System.Globalization;
using System.Text;
using LogLikeMap.Core.Formats;

namespace LogLikeMap.Core.Analysis;

/// <summary>
/// Benchmark scores per model: the targets of the prediction (docs/method.md §3.1) and, optionally, each model's
/// group (its family) for GroupKFold. A missing score is null.
/// </summary>
/// <param name="Targets">The target names, in column order.</param>
/// <param name="Scores">Per model, one value per target (null where the model has no score).</param>
/// <param name="Groups">Per model, its group, when the table has a group column.</param>
public sealed record ScoreTable(
    IReadOnlyList<string> Targets,
    IReadOnlyDictionary<string, double?[]> Scores,
    IReadOnlyDictionary<string, string>? Groups)
{
    /// <summary>The paper's six Open LLM Leaderboard v1 tasks (<c>score_v1_*</c> in <c>model-data-1018.pkl</c>).</summary>
    public static readonly IReadOnlyList<string> PaperTasks = ["ARC", "HellaSwag", "MMLU", "TruthfulQA", "Winogrande", "GSM8K"];

    /// <summary>
    /// The release's records as a table: the six tasks, their mean (<c>6-taskmean</c>, null unless all six are there)
    /// and <c>mean_logp</c>; the group is <c>model_type</c>, used when <paramref name="groupColumn"/> names it.
    /// </summary>
    public static ScoreTable FromPaperRecords(IReadOnlyList<PaperModelRecord> records, string? groupColumn)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (groupColumn is not null && groupColumn != "model_type")
            throw new ArgumentException($"The paper's model data has the group column 'model_type', not '{groupColumn}'.", nameof(groupColumn));
        string[] targets = [.. PaperTasks, "6-taskmean", "mean_logp"];
        var scores = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var tasks = PaperTasks.Select(t => record.Benchmarks.GetValueOrDefault("score_v1_" + t)).ToArray();
            double? mean = tasks.All(v => v.HasValue) ? tasks.Sum(v => v!.Value) / tasks.Length : null;
            scores[record.Name] = [.. tasks, mean, record.MeanLogLikelihood];
            if (groupColumn is not null && record.ModelType is { Length: > 0 } type)
                groups[record.Name] = type;
        }
        return new ScoreTable(targets, scores, groupColumn is null ? null : groups);
    }

    /// <summary>
    /// A CSV <c>model,&lt;target&gt;,...</c> (invariant numbers, an empty field for a missing score) with an optional
    /// group column of text. Every other column is a target.
    /// </summary>
    public static ScoreTable ReadCsv(string path, string? groupColumn)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = CsvFields.Split(reader.ReadLine()
            ?? throw new InvalidDataException($"{path}: the file is empty; expected a header 'model,<target>,...'."), path, 1);
        if (header.Count < 2 || !string.Equals(header[0], "model", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}, line 1: the header must be 'model,<target>,...' (one column per benchmark).");
        var groupIndex = groupColumn is null ? -1 : header.IndexOf(groupColumn);
        if (groupColumn is not null && groupIndex < 1)
            throw new InvalidDataException($"{path}: no column '{groupColumn}' to group by; the columns are {string.Join(", ", header)}.");
        var targetColumns = Enumerable.Range(1, header.Count - 1).Where(c => c != groupIndex).ToArray();
        if (targetColumns.Length == 0)
            throw new InvalidDataException($"{path}: no target column besides the model{(groupColumn is null ? "" : " and group")} column.");

        var scores = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var fields = CsvFields.Split(line, path, lineNumber);
            if (fields.Count != header.Count)
                throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Count} fields, the header has {header.Count}.");
            var name = fields[0];
            if (string.IsNullOrWhiteSpace(name))
                throw new InvalidDataException($"{path}, line {lineNumber}: the model name is empty.");
            var values = new double?[targetColumns.Length];
            for (var t = 0; t < targetColumns.Length; t++)
            {
                var field = fields[targetColumns[t]].Trim();
                if (field.Length == 0 || field.Equals("nan", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    throw new InvalidDataException(
                        $"{path}, line {lineNumber} (model '{name}'), column '{header[targetColumns[t]]}': '{field}' is not a number (leave it empty when the score is missing).");
                values[t] = value;
            }
            if (!scores.TryAdd(name, values))
                throw new InvalidDataException($"{path}, line {lineNumber}: model '{name}' appears twice.");
            if (groupIndex > 0 && fields[groupIndex].Trim() is { Length: > 0 } group)
                groups[name] = group;
        }
        return new ScoreTable([.. targetColumns.Select(c => header[c])], scores, groupColumn is null ? null : groups);
    }
}
