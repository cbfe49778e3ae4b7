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
        long[]? indices = null;
        string? firstFile = null;
        double[]? values = null;

        foreach (var (file, row) in files.Select((f, i) => (f, i)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = ModelNameOf(file);
            if (tokenCounts.ContainsKey(name))
                throw new InvalidDataException($"Model '{name}' appears twice in '{folder}' (files '{firstFile}' and '{file}').");
            var scores = ResultsFile.Read(file, cancellationToken);
            if (indices is null)
            {
                indices = [.. scores.Select(s => s.Index)];
                firstFile = file;
                values = new double[(long)files.Length * indices.Length];
            }
            else
            {
                RequireSameTexts(indices, firstFile!, scores, file, name);
            }

            var counts = new int[indices.Length];
            for (var s = 0; s < scores.Count; s++)
            {
                values![((long)row * indices.Length) + s] = scores[s].LogLikelihood;
                counts[s] = scores[s].TokenCount;
            }
            names.Add(name);
            tokenCounts[name] = counts;
        }
        return MatrixFiles.Build(folder, names, indices!, values!, tokenCounts);
    }

    private static void RequireSameTexts(long[] indices, string firstFile, IReadOnlyList<TextScore> scores, string file, string name)
    {
        if (scores.Count != indices.Length)
        {
            throw new InvalidDataException(
                $"Model '{name}' ({file}) scores {scores.Count} texts but '{Path.GetFileName(firstFile)}' scores {indices.Length}; " +
                "every model must be scored on the same texts.");
        }
        for (var s = 0; s < indices.Length; s++)
        {
            if (scores[s].Index != indices[s])
            {
                throw new InvalidDataException(
                    $"Model '{name}' ({file}) scores text index {scores[s].Index} where '{Path.GetFileName(firstFile)}' has {indices[s]}; " +
                    "every model must be scored on the same texts.");
            }
        }
    }
}
