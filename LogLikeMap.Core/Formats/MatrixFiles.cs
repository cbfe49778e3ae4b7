using LogLikeMap.Core.Map;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// Reads a log-likelihood matrix from any of the supported files, chosen by what the path is:
/// <list type="bullet">
/// <item>a folder: per-model results JSON Lines (<c>NAME.jsonl</c>; model name = file name without <c>.jsonl</c>,
/// a <c>__</c> in the file name stands for the <c>/</c> of a Hugging Face id), see <see cref="ResultsFolder"/>;</item>
/// <item><c>.pkl</c> / <c>.pickle</c>: the release's dict model name -> numpy array (raw or clipped), or
/// <c>model-data-1018.pkl</c> (its <c>log-likelihood-10k</c> field), see <see cref="MatrixPickle"/>;</item>
/// <item><c>.csv</c>: header <c>model,&lt;text index&gt;,...</c>, one model a row, see <see cref="MatrixCsv"/>;</item>
/// <item><c>.json</c>: LogLikeMap's own matrix export, see <see cref="MatrixJson"/>.</item>
/// </list>
/// </summary>
public static class MatrixFiles
{
    public static LogLikelihoodMatrix Read(string path, CancellationToken cancellationToken) =>
        Load(path, cancellationToken).Matrix;

    /// <summary>Reads the matrix with its text indices and, for results folders, token counts.</summary>
    public static LoadedMatrix Load(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            return ResultsFolder.Read(path, cancellationToken);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' is neither a file nor a folder of results.", path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".pkl" or ".pickle" => MatrixPickle.Read(path, cancellationToken),
            ".csv" => MatrixCsv.Read(path, cancellationToken),
            ".json" => MatrixJson.Read(path, cancellationToken),
            var other => throw new InvalidDataException(
                $"'{path}': unknown matrix format '{other}'. Use a .pkl (the paper's release), a .csv (model,<text indices...>), " +
                "a .json (LogLikeMap's export) or a folder of per-model results .jsonl files."),
        };
    }

    /// <summary>Checks the shared rules of every format and builds the matrix, naming the file, model and text in any error.</summary>
    internal static LoadedMatrix Build(
        string path,
        IReadOnlyList<string> names,
        IReadOnlyList<long> textIndices,
        double[] values,
        IReadOnlyDictionary<string, int[]>? tokenCounts = null)
    {
        if (names.Count == 0)
            throw new InvalidDataException($"'{path}' holds no models.");
        if (textIndices.Count == 0)
            throw new InvalidDataException($"'{path}' holds no texts.");
        var duplicateIndex = textIndices.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicateIndex is not null)
            throw new InvalidDataException($"'{path}': text index {duplicateIndex.Key} appears twice.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new InvalidDataException($"'{path}': a model name is empty.");
            if (!seen.Add(name))
                throw new InvalidDataException($"'{path}': model '{name}' appears twice; names must be unique.");
        }
        var n = textIndices.Count;
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new InvalidDataException($"'{path}': model '{names[i / n]}', text index {textIndices[i % n]}: log-likelihood {values[i]} is not a finite number.");
        }
        var matrix = new LogLikelihoodMatrix(names, n, values);
        return new LoadedMatrix(matrix, textIndices, tokenCounts ?? new Dictionary<string, int[]>());
    }
}
