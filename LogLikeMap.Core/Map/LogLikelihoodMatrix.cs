namespace LogLikeMap.Core.Map;

/// <summary>
/// The paper's matrix L (K models x N texts): L[i, s] is model i's log-likelihood of text s in nats.
/// Rows are stored contiguously (row-major) because every map computation walks one model's vector.
/// </summary>
public sealed class LogLikelihoodMatrix
{
    private readonly double[] _values;

    public LogLikelihoodMatrix(IReadOnlyList<string> modelNames, int textCount, double[] values)
    {
        ArgumentNullException.ThrowIfNull(modelNames);
        ArgumentNullException.ThrowIfNull(values);
        if (textCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(textCount), "A matrix needs at least one text.");
        if (values.Length != (long)modelNames.Count * textCount)
            throw new ArgumentException(
                $"{modelNames.Count} models x {textCount} texts needs {(long)modelNames.Count * textCount} values, got {values.Length}.",
                nameof(values));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in modelNames)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("A model name is empty.", nameof(modelNames));
            if (!seen.Add(name))
                throw new ArgumentException($"Model '{name}' appears twice; names must be unique.", nameof(modelNames));
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException(
                    $"Model '{modelNames[i / textCount]}', text {i % textCount}: log-likelihood {values[i]} is not a finite number.",
                    nameof(values));
        }

        ModelNames = modelNames;
        TextCount = textCount;
        _values = values;
    }

    public IReadOnlyList<string> ModelNames { get; }

    /// <summary>K, the number of models (rows).</summary>
    public int ModelCount => ModelNames.Count;

    /// <summary>N, the number of texts (columns).</summary>
    public int TextCount { get; }

    /// <summary>Model i's log-likelihood vector (length N).</summary>
    public ReadOnlySpan<double> Row(int model) => _values.AsSpan(model * TextCount, TextCount);

    /// <summary>All values, row-major; read-only by convention (the engine copies before changing).</summary>
    public ReadOnlySpan<double> Values => _values;
}
