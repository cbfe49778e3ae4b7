using System.Diagnostics;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using LogLikeMap.Core.Formats;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring;

/// <summary>
/// Scores texts with one checkpoint: the log-likelihood of each text in nats under the paper's convention
/// (docs/method.md §1.2). Batches are formed by length, computed under <c>torch.inference_mode()</c> with one dispose
/// scope each, and reported through <see cref="IProgress{T}"/>; cancelling stops after the batch in flight. Only plain
/// numbers go in and out: no tensor leaves this class.
/// </summary>
public sealed class LogLikelihoodScorer : IDisposable
{
    private readonly CausalLanguageModel _model;
    private readonly ScoringHead _head;
    private readonly Device _device;
    private readonly ScoringOptions _options;
    private readonly CheckpointFolder? _checkpoint;

    /// <summary>
    /// Scores with a model already built (the benchmark's random GPT-2); the scorer owns and disposes it. Without the
    /// <paramref name="checkpoint"/> it came from, it can neither tokenize nor write a results file.
    /// </summary>
    internal LogLikelihoodScorer(CausalLanguageModel model, Device device, ScoringOptions options, CheckpointFolder? checkpoint = null)
    {
        _model = model;
        _head = ScoringHead.For(model);
        _device = device;
        _options = options;
        _checkpoint = checkpoint;
    }

    /// <summary>
    /// Replaces the forward pass of a batch (token ids of its texts in, their log-likelihoods out) where tests need to
    /// inject a failure; <see cref="ForwardBatch"/> otherwise.
    /// </summary>
    internal Func<IReadOnlyList<int>[], double[]>? BatchForward { get; init; }

    /// <summary>The most tokens of a text that are scored; longer token sequences are cut to this length.</summary>
    public int MaxPositions => _model.MaxPositions;

    /// <summary>
    /// Loads the checkpoint folder's model. Fails before any scoring with a clear message for an unsupported
    /// architecture, missing or mis-shaped tensors, or a CUDA request without a CUDA device.
    /// </summary>
    public static LogLikelihoodScorer Load(string checkpointFolder, ScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchTokens, 1);
        var device = options.Device switch
        {
            ScoringDevice.Cuda when !cuda.is_available() => throw new InvalidOperationException(
                "--device cuda: libtorch sees no CUDA device. This build carries the CPU backend unless built with " +
                "-p:TorchBackend=cuda on a host with an NVIDIA driver; use --device cpu otherwise."),
            ScoringDevice.Cuda when options.DeviceIndex >= cuda.device_count() => throw new InvalidOperationException(
                $"cuda:{options.DeviceIndex}: libtorch sees {cuda.device_count()} CUDA device(s), numbered from 0. Name one of them."),
            ScoringDevice.Cuda => TorchSharp.torch.device(TorchSharp.DeviceType.CUDA, options.DeviceIndex),
            _ => CPU,
        };
        // Process-wide: one scoring run per process at a time (docs/stack.md).
        set_num_threads(options.Threads ?? Environment.ProcessorCount);
        var folder = CheckpointFolder.Open(checkpointFolder);
        var model = CheckpointLoader.Load(folder, DType(options.Precision), device);
        return new LogLikelihoodScorer(model, device, options, folder);
    }

    /// <summary>
    /// The checkpoint's tokenization of a text as the paper calls it: the tokenizer's default special tokens
    /// (BOS where the tokenizer adds one, EOS where its template appends one), truncated to <see cref="MaxPositions"/>
    /// as <c>tokenizer.encode(text, truncation=True, max_length)</c> does: the template's tokens survive the cut.
    /// </summary>
    public TokenizedText Tokenize(long index, string text)
    {
        var tokenizer = (_checkpoint ?? throw new InvalidOperationException("This scorer was built without a checkpoint folder, so without a tokenizer."))
            .Tokenizer;
        return new TokenizedText(index, tokenizer.EncodeWithSpecialTokens(text, MaxPositions));
    }

    /// <summary>
    /// Scores texts in memory; the results come back sorted by index. A token id outside the model's vocabulary (texts
    /// tokenized by another model's tokenizer) is refused with a <see cref="CheckpointException"/> before any scoring.
    /// </summary>
    public Task<IReadOnlyList<TextScore>> ScoreAsync(
        IReadOnlyList<TokenizedText> texts, IProgress<ScoringProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Task.Run(() =>
        {
            var scores = new List<TextScore>(texts.Count);
            Run(Prepare(texts), alreadyDone: 0, batch => scores.AddRange(batch), progress, note: null, cancellationToken);
            return Sorted(scores);
        }, CancellationToken.None);
    }

    /// <summary>
    /// Scores texts into the paper's results JSON Lines at <paramref name="resultsPath"/>, resuming what an earlier run
    /// of the same model on the same texts left there. Scores reach the disk as each batch finishes; when all are done
    /// the file is rewritten sorted by index. On cancellation the file keeps every finished batch. Which checkpoint,
    /// dtype and texts wrote the file is kept beside it (<see cref="ScoringRunIdentity"/>); a file another run wrote is
    /// refused, as are token ids outside the model's vocabulary, before anything is written.
    /// </summary>
    public Task<IReadOnlyList<TextScore>> ScoreToFileAsync(
        IReadOnlyList<TokenizedText> texts, string resultsPath, IProgress<ScoringProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentException.ThrowIfNullOrEmpty(resultsPath);
        var checkpoint = _checkpoint ?? throw new InvalidOperationException(
            "This scorer was built without a checkpoint folder, so its results could not say which model wrote them.");
        return Task.Run(() =>
        {
            var truncated = Prepare(texts);
            var tokenCounts = new Dictionary<long, int>();
            foreach (var text in truncated)
            {
                if (!tokenCounts.TryAdd(text.Index, text.Ids.Count))
                    throw new ArgumentException($"Text index {text.Index} appears twice in the texts to score.", nameof(texts));
            }
            var scores = new List<TextScore>(truncated.Length);
            var identity = new ScoringRunIdentity(
                checkpoint.Path, CheckpointFingerprint.Of(checkpoint), _options.Precision, ScoringRunIdentity.FingerprintOf(truncated));
            using (var journal = ResultsJournal.Open(resultsPath, tokenCounts, identity, cancellationToken))
            {
                scores.AddRange(journal.Resumed);
                var done = journal.Resumed.Select(s => s.Index).ToHashSet();
                var remaining = truncated.Where(t => !done.Contains(t.Index)).ToArray();
                Run(remaining, done.Count, batch =>
                {
                    journal.Append(batch);
                    scores.AddRange(batch);
                }, progress, journal.Note, cancellationToken);
            }
            ResultsJournal.Finish(resultsPath, scores);
            return Sorted(scores);
        }, CancellationToken.None);
    }

    public void Dispose()
    {
        _head.Dispose();
        _model.Dispose();
    }

    private void Run(
        IReadOnlyList<TokenizedText> texts, int alreadyDone, Action<IReadOnlyList<TextScore>> onBatchScored,
        IProgress<ScoringProgress>? progress, string? note, CancellationToken cancellationToken)
    {
        var total = alreadyDone + texts.Count;
        var tokensLeft = texts.Sum(t => (long)t.Ids.Count);
        progress?.Report(new ScoringProgress(alreadyDone, total, 0, null, note));
        cancellationToken.ThrowIfCancellationRequested();

        var clock = Stopwatch.StartNew();
        long tokensDone = 0;
        var textsDone = alreadyDone;
        var speed = 0.0;
        var lengths = texts.Select(t => t.Ids.Count).ToArray();
        // Batches that run out of memory (a GPU's, mostly) are halved and retried instead of failing the run.
        var backoff = new OutOfMemoryBackoff(lengths, message => progress?.Report(new ScoringProgress(textsDone, total, speed, null, message)));
        var forward = BatchForward ?? ForwardBatch;
        foreach (var batch in BatchPlan.ByLength(lengths, _options.MaxBatchTokens, _model.LongSequenceThreshold))
        {
            backoff.Run(batch, part => forward(part.Select(i => texts[i].Ids).ToArray()), (part, sums) =>
            {
                var members = part.Select(i => texts[i]).ToArray();
                NonFiniteScores.Check(_model, members, sums, _options.Precision);  // before anything is kept
                onBatchScored(members.Select((t, i) => new TextScore(t.Index, t.Ids.Count, sums[i])).ToArray());

                var batchTokens = members.Sum(t => (long)t.Ids.Count);
                tokensDone += batchTokens;
                tokensLeft -= batchTokens;
                textsDone += members.Length;
                speed = tokensDone / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                progress?.Report(new ScoringProgress(textsDone, total, speed, TimeSpan.FromSeconds(tokensLeft / speed)));
                // Checked only between batches: a cancel never throws away a computed batch.
                if (textsDone < total)
                    cancellationToken.ThrowIfCancellationRequested();
            });
        }
    }

    /// <summary>The forward pass of one batch under inference mode, its tensors freed when it returns.</summary>
    internal double[] ForwardBatch(IReadOnlyList<int>[] ids)
    {
        using (inference_mode())
        using (NewDisposeScope())
        {
            return BatchLogLikelihood.Compute(_model, _head, ids, _device);
        }
    }

    /// <summary>
    /// Truncates to the model's maximum positions, as the paper's tokenizer call does (truncation=True, max_length), and
    /// checks every id against the vocabulary: an id past the embedding table would otherwise stop the run mid-way
    /// with libtorch's "index out of range".
    /// </summary>
    private TokenizedText[] Prepare(IReadOnlyList<TokenizedText> texts)
    {
        var vocabularySize = _model.VocabularySize;
        foreach (var text in texts)
        {
            foreach (var id in text.Ids)
            {
                if (id < 0 || id >= vocabularySize)
                {
                    throw new CheckpointException(
                        $"Text {text.Index} has token id {id}, but the model's vocabulary has {vocabularySize} entries (ids 0 to " +
                        $"{vocabularySize - 1}): the tokenizer does not belong to this model. Use the tokenizer files saved with the checkpoint.");
                }
            }
        }
        return texts.Select(t => t.Ids.Count <= MaxPositions ? t : t with { Ids = Truncate(t.Ids) }).ToArray();
    }

    /// <summary>Ids longer than the model's positions, cut as <see cref="Tokenize"/> would have: the checkpoint's template tokens kept.</summary>
    private IReadOnlyList<int> Truncate(IReadOnlyList<int> ids)
    {
        return _checkpoint is null ? ids.Take(MaxPositions).ToArray() : _checkpoint.Tokenizer.Truncate(ids, MaxPositions);
    }

    private static IReadOnlyList<TextScore> Sorted(List<TextScore> scores)
    {
        scores.Sort((a, b) => a.Index.CompareTo(b.Index));
        return scores;
    }

    private static ScalarType DType(ScoringPrecision precision) => precision switch
    {
        ScoringPrecision.BFloat16 => ScalarType.BFloat16,
        ScoringPrecision.Float16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };
}
