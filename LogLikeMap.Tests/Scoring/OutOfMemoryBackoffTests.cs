using System.Runtime.InteropServices;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Scoring;
using static TorchSharp.torch;

namespace LogLikeMap.Tests.Scoring;

/// <summary>
/// A batch that runs out of memory is halved and retried, on any device: the failure is injected on CPU with the
/// message libtorch gives for CUDA ("CUDA out of memory. Tried to allocate ...").
/// </summary>
public class OutOfMemoryBackoffTests
{
    private static ExternalException CudaOutOfMemory() =>
        new("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total capacity; 77.90 GiB already allocated)");

    [Fact]
    public void A_batch_too_big_for_memory_is_scored_in_halves_and_later_batches_are_capped()
    {
        // Ten texts of 10 tokens; the "device" holds at most 30 padded tokens per forward pass.
        var lengths = Enumerable.Repeat(10, 10).ToArray();
        var notes = new List<string>();
        var backoff = new OutOfMemoryBackoff(lengths, notes.Add);
        var attempts = new List<int>();
        var scored = new List<int[]>();
        double[] Compute(int[] part)
        {
            attempts.Add(part.Length);
            if (part.Length * 10 > 30)
                throw CudaOutOfMemory();
            return part.Select(i => (double)i).ToArray();
        }

        backoff.Run([0, 1, 2, 3, 4, 5, 6, 7], Compute, (part, results) =>
        {
            Assert.Equal(part.Select(i => (double)i), results);
            scored.Add(part);
        });
        backoff.Run([8, 9], Compute, (part, _) => scored.Add(part));

        // 8 fails, 4 fails, then 2 + 2 for the first half; the second half of 4 is split by the new 20-token cap
        // before it is tried, as is the later batch of 2.
        Assert.Equal([8, 4, 2, 2, 2, 2, 2], attempts);
        Assert.Equal(Enumerable.Range(0, 10), scored.SelectMany(part => part));
        Assert.Equal(20, backoff.PaddedTokenLimit);
        Assert.Equal(2, notes.Count);
    }

    [Fact]
    public void A_single_text_that_does_not_fit_is_reported_as_such()
    {
        var backoff = new OutOfMemoryBackoff([5000]);

        var error = Assert.Throws<InsufficientMemoryException>(() => backoff.Run([0], _ => throw CudaOutOfMemory(), (_, _) => { }));

        Assert.Contains("single text of 5000 tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_errors_are_not_retried()
    {
        var backoff = new OutOfMemoryBackoff([3, 3]);
        var attempts = 0;

        Assert.Throws<ExternalException>(() => backoff.Run([0, 1], _ =>
        {
            attempts++;
            throw new ExternalException("index out of range in self");
        }, (_, _) => { }));
        Assert.Equal(1, attempts);
        Assert.True(OutOfMemoryBackoff.IsOutOfMemory(new ExternalException("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you tried to allocate 1099511627776 bytes.")));
        Assert.True(OutOfMemoryBackoff.IsOutOfMemory(new OutOfMemoryException()));
    }

    [Fact]
    public async Task The_scorer_retries_out_of_memory_batches_and_gives_the_references_scores()
    {
        // Every forward pass of more than one text "runs out of memory": the scorer must still give PyTorch's
        // log-likelihoods for the fixture (TestData/scoring, written by tools/make-scoring-fixtures.py).
        var folder = CheckpointFolder.Open(Path.Combine(ScoringTestData.Fixtures, "gpt2-tiny"));
        var forwardSizes = new List<int>();
        LogLikelihoodScorer scorer = null!;
        scorer = new LogLikelihoodScorer(CheckpointLoader.Load(folder, ScalarType.Float32, CPU), CPU, new ScoringOptions(MaxBatchTokens: 1 << 20), folder)
        {
            BatchForward = ids =>
            {
                forwardSizes.Add(ids.Length);
                return ids.Length > 1 ? throw CudaOutOfMemory() : scorer.ForwardBatch(ids);
            },
        };
        using (scorer)
        {
            var texts = ScoringTestData.TokenIds(ScoringTestData.Fixtures, "gpt2-tiny").Take(6).ToArray();
            var notes = new List<string>();

            var scores = await scorer.ScoreAsync(texts, new SynchronousProgress(p => { if (p.Note is not null) notes.Add(p.Note); }), CancellationToken.None);

            ScoringTestData.AssertRelativelyClose(
                ScoringTestData.Expected(ScoringTestData.Fixtures, "gpt2-tiny").Take(6).ToArray(), scores.Select(s => s.LogLikelihood).ToArray(), 1e-4);
            Assert.Equal(6, forwardSizes[0]);
            Assert.Equal(6, forwardSizes.Count(size => size == 1));
            Assert.Contains(notes, note => note.StartsWith("Out of memory with 6 texts", StringComparison.Ordinal));
        }
    }

    /// <summary>Reports on the calling thread, so the notes are complete when scoring returns.</summary>
    private sealed class SynchronousProgress(Action<ScoringProgress> report) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => report(value);
    }
}
