using LogLikeMap.Core.PaperData;
using LogLikeMap.Core.Scoring;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// The results file survives crashes and cancels: a rerun resumes from what is on disk and ends with the same file.
/// Texts are scored one by one (MaxBatchTokens 1) so that every run computes each text identically, bit for bit.
/// </summary>
public sealed class ResumableResultsTests : IDisposable
{
    private const string Model = "gpt2-tiny";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loglikemap-resume-" + Guid.NewGuid().ToString("N"));
    private readonly IReadOnlyList<TokenizedText> _texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, Model).Take(5).ToArray();

    public ResumableResultsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Out => Path.Combine(_folder, "results.jsonl");

    [Fact]
    public async Task A_complete_run_writes_the_paper_format_sorted_by_index()
    {
        var shuffled = _texts.Reverse().ToArray();

        await Score(shuffled, Out);

        var lines = File.ReadAllLines(Out);
        Assert.Equal(_texts.Count, lines.Length);
        Assert.StartsWith("{\"index\": 0, \"num-tokens\": " + _texts[0].Ids.Count + ", \"log-likelihood\": -", lines[0], StringComparison.Ordinal);
        var scores = ResultsFile.Read(Out, CancellationToken.None);
        Assert.Equal(_texts.Select(t => t.Index), scores.Select(s => s.Index));
        ScoringTestData.AssertRelativelyClose(
            ScoringTestData.Expected(ScoringTestData.Fixtures, Model).Take(_texts.Count).ToArray(),
            scores.Select(s => s.LogLikelihood).ToArray(),
            1e-4);
    }

    [Fact]
    public async Task A_crash_mid_write_is_resumed_to_the_same_file()
    {
        var reference = Path.Combine(_folder, "reference.jsonl");
        await Score(_texts, reference);
        var lines = File.ReadAllLines(reference);
        // What a crash leaves: two finished lines in batch order, then half of a third without its newline.
        File.WriteAllText(Out, lines[3] + "\n" + lines[1] + "\n" + lines[0][..(lines[0].Length / 2)]);
        var notes = new List<string>();

        await Score(_texts, Out, new SynchronousProgress(p => { if (p.Note is not null) notes.Add(p.Note); }));

        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(Out));
        var note = Assert.Single(notes);
        Assert.Contains("2 of 5 texts already scored", note, StringComparison.Ordinal);
        Assert.Contains("dropped an incomplete last line", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_line_stops_the_run_with_its_line_number_and_leaves_the_file_alone()
    {
        var corrupt = "{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1.5}\n{\"index\": 1, \"num-tokens\": oops}\n";
        File.WriteAllText(Out, corrupt);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("delete it", error.Message, StringComparison.Ordinal);
        Assert.Equal(corrupt, File.ReadAllText(Out));
    }

    [Fact]
    public async Task A_results_file_of_another_model_is_refused()
    {
        File.WriteAllText(Out, $"{{\"index\": 0, \"num-tokens\": {_texts[0].Ids.Count + 1}, \"log-likelihood\": -1.5}}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out));

        Assert.Contains("belongs to another model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_keeps_every_finished_batch_and_a_rerun_completes_the_same_file()
    {
        var reference = Path.Combine(_folder, "reference.jsonl");
        await Score(_texts, reference);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Score(_texts, Out, new SynchronousProgress(p => { if (p.TextsDone == 2) cancel.Cancel(); }), cancel.Token));

        var kept = ResultsFile.Read(Out, CancellationToken.None);
        Assert.Equal(2, kept.Count);
        var expected = ResultsFile.Read(reference, CancellationToken.None).ToDictionary(s => s.Index);
        Assert.All(kept, score => Assert.Equal(expected[score.Index], score));

        await Score(_texts, Out);

        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(Out));
    }

    private static async Task Score(
        IReadOnlyList<TokenizedText> texts, string path, IProgress<ScoringProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var scorer = LogLikelihoodScorer.Load(Path.Combine(ScoringTestData.Fixtures, Model), new ScoringOptions(MaxBatchTokens: 1));
        await scorer.ScoreToFileAsync(texts, path, progress, cancellationToken);
    }

    /// <summary>Reports on the scoring thread itself (Progress&lt;T&gt; would post them later, after the run moved on).</summary>
    private sealed class SynchronousProgress(Action<ScoringProgress> report) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => report(value);
    }
}
