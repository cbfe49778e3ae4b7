using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// A folder of per-model results JSON Lines (the paper's scoring output, also what <c>loglikemap score</c> writes):
/// one <c>NAME.jsonl</c> per model. Every file must score the same text indices; the matrix columns follow the
/// indices in ascending order and the rows the model names in ordinal order, so a folder always reads the same.
/// </summary>
public static class ResultsFolder
{
    /// <summary>Hugging Face ids hold a '/', which a file name cannot: files spell it "__".</summary>
    public const string SlashInFileName = "__";

    public static string ModelNameOf(string resultsFile) =>
        Path.GetFileNameWithoutExtension(resultsFile).Replace(SlashInFileName, "/", StringComparison.Ordinal);

    public static string FileNameOf(string modelName) =>
        modelName.Replace("/", SlashInFileName, StringComparison.Ordinal) + ".jsonl";

    public static LoadedMatrix Read(string folder, CancellationToken cancellationToken)
    {
        var files = Directory.GetFiles(folder, "*.jsonl").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new InvalidDataException($"Folder '{folder}' holds no per-model results files (*.jsonl).");

        var names = new List<string>();
        var tokenCounts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var fileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        TextColumns? columns = null;
        double[]? values = null;

        foreach (var (file, row) in files.Select((f, i) => (f, i)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = ModelNameOf(file);
            if (!fileOf.TryAdd(name, file))
                throw new InvalidDataException($"Model '{name}' appears twice in '{folder}' (files '{fileOf[name]}' and '{file}').");
            var scores = ResultsFile.Read(file, cancellationToken);
            // The first file's texts are the columns; every other file must score exactly those.
            columns ??= new TextColumns([.. scores.Select(s => s.Index)], Path.GetFileName(file));
            values ??= new double[(long)files.Length * columns.Count];
            var aligned = columns.Align(scores, $"Model '{name}' ({file})");
            aligned.LogLikelihoods.CopyTo(values, (long)row * columns.Count);
            names.Add(name);
            tokenCounts[name] = aligned.TokenCounts;
        }
        return MatrixFiles.Build(folder, names, [.. columns!.Indices], values!, tokenCounts);
    }
}
