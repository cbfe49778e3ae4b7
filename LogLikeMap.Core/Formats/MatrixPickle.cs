using LogLikeMap.Core.Formats.Pickles;

namespace LogLikeMap.Core.Formats;

/// <summary>
/// The release's matrix pickles (<c>raw_log-likelihood_1018.pkl</c>, the clipped one): a dict model name -> numpy
/// float array of the N texts, in the release's text order (column s = text index s). Also accepts
/// <c>model-data-1018.pkl</c> and reads its <c>log-likelihood-10k</c> (or <c>raw_log-likelihood-10k</c>) field.
/// </summary>
public static class MatrixPickle
{
    public static LoadedMatrix Read(string path, CancellationToken cancellationToken)
    {
        var root = RestrictedUnpickler.Load(path);
        cancellationToken.ThrowIfCancellationRequested();
        var rows = root switch
        {
            PickleDict dict => FromDict(dict, path),
            List<object?> list => ModelDataFile.Interpret(list, path).Select(m => (m.Name, Values: m.LogLikelihood)).ToList(),
            _ => throw new InvalidDataException(
                $"{path}: expected a dict of model name -> numpy array (or the model-data list), found {root?.GetType().Name ?? "None"}."),
        };
        if (rows.Count == 0)
            throw new InvalidDataException($"{path} holds no models.");

        var textCount = rows[0].Values.Length;
        var values = new double[(long)rows.Count * textCount];
        for (var r = 0; r < rows.Count; r++)
        {
            var (name, row) = rows[r];
            if (row.Length != textCount)
                throw new InvalidDataException($"{path}: model '{name}' has {row.Length} values, model '{rows[0].Name}' has {textCount}.");
            row.CopyTo(values, (long)r * textCount);
        }
        return MatrixFiles.Build(path, [.. rows.Select(r => r.Name)], [.. Enumerable.Range(0, textCount).Select(i => (long)i)], values);
    }

    private static List<(string Name, double[] Values)> FromDict(PickleDict dict, string path)
    {
        var rows = new List<(string Name, double[] Values)>();
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
                throw new InvalidDataException($"{path}: a key of the dict is '{key}', not a model name.");
            if (value is not NumpyArray array || array.Shape.Count != 1)
                throw new InvalidDataException($"{path}: model '{name}' does not map to a one-dimensional numpy array.");
            rows.Add((name, array.ToDoubles()));
        }
        return rows;
    }
}
