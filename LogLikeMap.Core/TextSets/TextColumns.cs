using LogLikeMap.Core.Formats;

namespace LogLikeMap.Core.TextSets;

/// <summary>A model's scores in the order of a text set's columns, with the token count of each text.</summary>
public sealed record AlignedScores(double[] LogLikelihoods, int[] TokenCounts);

/// <summary>
/// The columns of a text set: its text indices in order. Every way scores reach a map (an upload, a results folder,
/// an imported matrix, a stored vector) is lined up with them here, by the one rule that vectors are only compared
/// when they score the same texts (docs/method.md §1.3): every text of the set exactly once, nothing else.
/// </summary>
public sealed class TextColumns
{
    private const int ExamplesShown = 5;

    private readonly long[] _indices;
    private readonly Dictionary<long, int> _columnOf;

    /// <param name="indices">The text indices, one per column; each at most once.</param>
    /// <param name="textSetName">How messages name the text set.</param>
    public TextColumns(IReadOnlyList<long> indices, string textSetName)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(textSetName);
        _indices = [.. indices];
        TextSetName = textSetName;
        _columnOf = new Dictionary<long, int>(_indices.Length);
        for (var s = 0; s < _indices.Length; s++)
        {
            if (!_columnOf.TryAdd(_indices[s], s))
                throw new ArgumentException($"Text index {_indices[s]} appears twice in text set '{textSetName}'.", nameof(indices));
        }
    }

    public IReadOnlyList<long> Indices => _indices;

    public string TextSetName { get; }

    public int Count => _indices.Length;

    /// <summary>
    /// For each column, the position in <paramref name="indices"/> (the same texts in another order) of its text.
    /// Throws <see cref="InvalidDataException"/> beginning with <paramref name="whose"/> for an index outside the set,
    /// one given twice, or texts of the set left out (naming up to five).
    /// </summary>
    public int[] PositionsIn(IReadOnlyList<long> indices, string whose)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var position = new int[_indices.Length];
        Array.Fill(position, -1);
        for (var p = 0; p < indices.Count; p++)
        {
            if (!_columnOf.TryGetValue(indices[p], out var s))
            {
                throw new InvalidDataException(
                    $"{whose}: text index {indices[p]} is not in the text set '{TextSetName}' ({Count} texts).");
            }
            if (position[s] >= 0)
                throw new InvalidDataException($"{whose}: text index {indices[p]} is scored twice.");
            position[s] = p;
        }
        var missing = Enumerable.Range(0, _indices.Length).Where(s => position[s] < 0).ToArray();
        if (missing.Length > 0)
        {
            var examples = string.Join(", ", missing.Take(ExamplesShown).Select(s => _indices[s]));
            throw new InvalidDataException(
                $"{whose}: {missing.Length} of the {Count} texts of '{TextSetName}' have no score (text index {examples}" +
                $"{(missing.Length > ExamplesShown ? ", ..." : "")}); every model must be scored on every text of the set.");
        }
        return position;
    }

    /// <summary>
    /// <paramref name="scores"/> in column order (<see cref="PositionsIn"/>), each a finite number; throws
    /// <see cref="InvalidDataException"/> beginning with <paramref name="whose"/> otherwise.
    /// </summary>
    public AlignedScores Align(IReadOnlyList<TextScore> scores, string whose)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var position = PositionsIn([.. scores.Select(s => s.Index)], whose);
        var values = new double[position.Length];
        var tokens = new int[position.Length];
        for (var s = 0; s < position.Length; s++)
        {
            var score = scores[position[s]];
            if (!double.IsFinite(score.LogLikelihood))
                throw new InvalidDataException($"{whose}: text index {score.Index} has log-likelihood {score.LogLikelihood}, not a finite number.");
            values[s] = score.LogLikelihood;
            tokens[s] = score.TokenCount;
        }
        return new AlignedScores(values, tokens);
    }
}
