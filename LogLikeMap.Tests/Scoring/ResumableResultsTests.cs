using LogLikeMap.Core.Formats;
using LogLikeMap.Scoring;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// The results file survives crashes and cancels: a rerun resumes from what is on disk and ends with the same file,
/// and only the run that wrote it (checkpoint, dtype, texts) may resume it. Texts are scored one by one
/// (MaxBatchTokens 1) so that every run computes each text identically, bit for bit.
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
        // What a crash leaves: two finished lines in batch order, then half of a third without its newline, and the
        // run's identity, written before the first score.
        File.WriteAllText(Out, lines[3] + "\n" + lines[1] + "\n" + lines[0][..(lines[0].Length / 2)]);
        File.Copy(ScoringRunIdentity.PathFor(reference), ScoringRunIdentity.PathFor(Out));
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
        await Score(_texts, Out);
        var corrupt = "{\"index\": 0, \"num-tokens\": 1, \"log-likelihood\": -1.5}\n{\"index\": 1, \"num-tokens\": oops}\n";
        File.WriteAllText(Out, corrupt);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("delete it", error.Message, StringComparison.Ordinal);
        Assert.Equal(corrupt, File.ReadAllText(Out));
    }

    [Fact]
    public async Task A_results_line_with_another_token_count_is_refused()
    {
        await Score(_texts, Out);
        File.WriteAllText(Out, $"{{\"index\": 0, \"num-tokens\": {_texts[0].Ids.Count + 1}, \"log-likelihood\": -1.5}}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out));

        Assert.Contains("belongs to another model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_results_file_of_another_checkpoint_with_the_same_tokenizer_is_refused_and_left_unchanged()
    {
        // gpt2-tiny and neox-tiny share GPT-2's tokenizer: same texts, same token counts, different models.
        await Score(_texts, Out);
        var results = File.ReadAllBytes(Out);
        var identity = File.ReadAllBytes(ScoringRunIdentity.PathFor(Out));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out, model: "neox-tiny"));

        Assert.Contains("belongs to another scoring run", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(ScoringTestData.Fixtures, Model), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(ScoringTestData.Fixtures, "neox-tiny"), error.Message, StringComparison.Ordinal);
        Assert.Contains("choose another results file (--out)", error.Message, StringComparison.Ordinal);
        Assert.Equal(results, File.ReadAllBytes(Out));
        Assert.Equal(identity, File.ReadAllBytes(ScoringRunIdentity.PathFor(Out)));
    }

    [Fact]
    public async Task A_results_file_scored_in_another_dtype_is_refused_and_left_unchanged()
    {
        await Score(_texts, Out);
        var results = File.ReadAllBytes(Out);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out, precision: ScoringPrecision.BFloat16));

        Assert.Contains("it was scored in float32, this run asks for bfloat16", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("checkpoint at", error.Message, StringComparison.Ordinal);
        Assert.Equal(results, File.ReadAllBytes(Out));
    }

    [Fact]
    public async Task A_results_file_of_other_texts_is_refused()
    {
        await Score(_texts.Take(3).ToArray(), Out);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out));

        Assert.Contains("it was scored on other texts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scores_without_the_identity_of_the_run_that_wrote_them_are_refused_and_left_unchanged()
    {
        var scores = "{\"index\": 0, \"num-tokens\": " + _texts[0].Ids.Count + ", \"log-likelihood\": -1.5}\n";
        File.WriteAllText(Out, scores);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(_texts, Out));

        Assert.Contains("saying which checkpoint and dtype wrote them", error.Message, StringComparison.Ordinal);
        Assert.Equal(scores, File.ReadAllText(Out));
        Assert.False(File.Exists(ScoringRunIdentity.PathFor(Out)));
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
        CancellationToken cancellationToken = default, string model = Model, ScoringPrecision precision = ScoringPrecision.Float32)
    {
        using var scorer = LogLikelihoodScorer.Load(
            Path.Combine(ScoringTestData.Fixtures, model), new ScoringOptions(precision, MaxBatchTokens: 1));
        await scorer.ScoreToFileAsync(texts, path, progress, cancellationToken);
    }

    /// <summary>Reports on the scoring thread itself (Progress&lt;T&gt; would post them later, after the run moved on).</summary>
    private sealed class SynchronousProgress(Action<ScoringProgress> report) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => report(value);
    }
}
