using System.Globalization;
using System.Text;
using LogLikeMap.Core.Formats;

namespace LogLikeMap.Scoring;

/// <summary>
/// The results file of a scoring run in progress. Scores are appended and flushed to disk as batches finish (in batch
/// order), so a crash or a cancel loses at most the batch being computed; a rerun reads them back and scores only the
/// rest; the finished file is rewritten sorted by index, in the paper's format (<see cref="ResultsFile"/>).
/// </summary>
internal sealed class ResultsJournal : IDisposable
{
    private readonly StreamWriter _writer;

    private ResultsJournal(StreamWriter writer, IReadOnlyList<TextScore> resumed, string? note)
    {
        _writer = writer;
        Resumed = resumed;
        Note = note;
    }

    /// <summary>Scores already in the file when it was opened.</summary>
    public IReadOnlyList<TextScore> Resumed { get; }

    /// <summary>What opening found worth telling (scores resumed, an incomplete line dropped), or null.</summary>
    public string? Note { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for appending, first checking what an earlier run left. Scores already there are
    /// resumed only when the identity kept beside them (<see cref="ScoringRunIdentity"/>) is this run's; otherwise
    /// nothing is written and the error says what differs. Every line must then be a valid results line for one of
    /// <paramref name="tokenCounts"/>' texts with the same token count. A last line without its newline is what a crash
    /// mid-write leaves; it is dropped and that text scored again.
    /// </summary>
    public static ResultsJournal Open(
        string path, IReadOnlyDictionary<long, int> tokenCounts, ScoringRunIdentity identity, CancellationToken cancellationToken)
    {
        var resumed = (IReadOnlyList<TextScore>)[];
        string? note = null;
        if (File.Exists(path) && new FileInfo(path).Length > 0)
        {
            CheckWrittenBy(path, identity);
            var dropped = DropIncompleteLastLine(path);
            if (new FileInfo(path).Length > 0)
                resumed = ReadEarlierScores(path, tokenCounts, cancellationToken);
            note = $"{path}: resuming, {resumed.Count} of {tokenCounts.Count} texts already scored"
                   + (dropped ? "; dropped an incomplete last line (an interrupted write), that text is scored again." : ".");
        }
        // Written before the first score, so a results file with scores always has its identity beside it.
        identity.Write(path);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new ResultsJournal(new StreamWriter(stream, new UTF8Encoding(false)), resumed, note);
    }

    /// <summary>Appends one line per score and forces them to disk before returning.</summary>
    public void Append(IEnumerable<TextScore> scores)
    {
        foreach (var score in scores)
            _writer.Write(FormatLine(score));
        _writer.Flush();
        ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
    }

    /// <summary>Rewrites the finished file sorted by index; written beside it and renamed, so it is never half-written.</summary>
    public static void Finish(string path, IEnumerable<TextScore> scores)
    {
        var temporary = path + ".sorting";
        ResultsFile.Write(temporary, scores);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>The paper's line: <c>{"index": i, "num-tokens": n, "log-likelihood": x}</c>, x round-tripping exactly.</summary>
    private static string FormatLine(TextScore score) => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"index\": {score.Index}, \"num-tokens\": {score.TokenCount}, \"log-likelihood\": {score.LogLikelihood:R}}}\n");

    private static void CheckWrittenBy(string path, ScoringRunIdentity identity)
    {
        var identityPath = ScoringRunIdentity.PathFor(path);
        var earlier = ScoringRunIdentity.Read(path) ?? throw new InvalidDataException(
            $"{path} holds scores but there is no {identityPath} saying which checkpoint and dtype wrote them, so they " +
            "cannot be resumed safely (another model's scores would be kept as this one's). Delete the file, or choose " +
            "another results file (--out), to score again.");
        var differences = identity.DifferencesFrom(earlier);
        if (differences.Count > 0)
        {
            throw new InvalidDataException(
                $"{path} belongs to another scoring run: {string.Join("; ", differences)}. Resuming would keep its scores " +
                $"as this run's. Delete it (and {identityPath}), or choose another results file (--out), to score again.");
        }
    }

    private static bool DropIncompleteLastLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var end = stream.Length;
        var keep = end;
        var buffer = new byte[1];
        while (keep > 0)
        {
            stream.Position = keep - 1;
            stream.ReadExactly(buffer);
            if (buffer[0] == (byte)'\n')
                break;
            keep--;
        }
        if (keep == end)
            return false;
        stream.SetLength(keep);
        return true;
    }

    private static IReadOnlyList<TextScore> ReadEarlierScores(
        string path, IReadOnlyDictionary<long, int> tokenCounts, CancellationToken cancellationToken)
    {
        IReadOnlyList<TextScore> scores;
        try
        {
            scores = ResultsFile.Read(path, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(
                $"{e.Message} The results file cannot be resumed; delete it (or the bad line) to score again.", e);
        }
        foreach (var score in scores)
        {
            if (!tokenCounts.TryGetValue(score.Index, out var expected))
            {
                throw new InvalidDataException(
                    $"{path}: text index {score.Index} is not in the text set being scored; this results file belongs to " +
                    "another text set. Choose another --out or delete it.");
            }
            if (score.TokenCount != expected)
            {
                throw new InvalidDataException(
                    $"{path}: text {score.Index} was scored with {score.TokenCount} tokens, but this model's tokenizer gives " +
                    $"{expected}; this results file belongs to another model. Choose another --out or delete it.");
            }
        }
        return scores;
    }
}
