namespace LogLikeMap.Scoring;

/// <summary>The dtype the model computes in. The log-softmax is float32 whatever this is.</summary>
public enum ScoringPrecision
{
    Float32,
    BFloat16,
    Float16,
}

/// <summary>Where the model runs; CUDA needs a build with the GPU libtorch (<c>-p:TorchBackend=cuda</c>, docs/stack.md).</summary>
public enum ScoringDevice
{
    Cpu,
    Cuda,
}

/// <summary>How to score.</summary>
/// <param name="Precision">Model dtype; float32 by default, the precision the reference log-likelihoods use.</param>
/// <param name="Device">CPU by default.</param>
/// <param name="MaxBatchTokens">
/// Upper bound on batch size x longest text of a batch (padding included); texts of similar length are batched
/// together. A text longer than this is scored alone. 1 scores every text on its own, as the paper's pipeline does.
/// </param>
/// <param name="Threads">libtorch's CPU threads (process-wide); all cores by default.</param>
/// <param name="DeviceIndex">With CUDA, which GPU (cuda:N); one worker process per GPU scores on its own.</param>
public sealed record ScoringOptions(
    ScoringPrecision Precision = ScoringPrecision.Float32,
    ScoringDevice Device = ScoringDevice.Cpu,
    int MaxBatchTokens = 8192,
    int? Threads = null,
    int DeviceIndex = 0);

/// <summary>Where a scoring run stands, reported after every batch.</summary>
/// <param name="TextsDone">Texts scored so far, those resumed from an earlier run included.</param>
/// <param name="TextCount">Texts in the run.</param>
/// <param name="TokensPerSecond">Tokens fed to the model per second in this run (padding excluded).</param>
/// <param name="TimeLeft">Estimated from the tokens left at the current speed; null before the first batch.</param>
/// <param name="Note">A one-off message, such as what resuming an earlier results file found.</param>
public sealed record ScoringProgress(int TextsDone, int TextCount, double TokensPerSecond, TimeSpan? TimeLeft, string? Note = null);

/// <summary>A text as token ids, special tokens included, already truncated to the model's maximum positions.</summary>
public sealed record TokenizedText(long Index, IReadOnlyList<int> Ids);
