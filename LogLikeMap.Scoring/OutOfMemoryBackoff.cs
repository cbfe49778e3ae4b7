namespace LogLikeMap.Scoring;

/// <summary>
/// Runs the scorer's batches so that running out of memory costs time, not the run: a batch whose forward pass fails
/// for lack of memory (CUDA's "out of memory", libtorch's CPU allocator, .NET's <see cref="OutOfMemoryException"/>) is
/// halved and each half tried again, down to one text; the padded size that failed, halved, then caps the batches
/// that follow, so one failure does not repeat on every later batch. Nothing here depends on the device: the forward
/// pass comes in as a function, which is how the tests inject a failure on CPU.
/// </summary>
internal sealed class OutOfMemoryBackoff(IReadOnlyList<int> lengths, Action<string>? note = null)
{
    /// <summary>Largest batch (count x longest text, padding included) that is tried, once a batch has failed; null before.</summary>
    public long? PaddedTokenLimit { get; private set; }

    /// <summary>
    /// Computes <paramref name="batch"/> (positions into the lengths, longest first), in parts as small as memory
    /// demands, handing each part and its results to <paramref name="onScored"/> in order. A single text that does not
    /// fit throws <see cref="InsufficientMemoryException"/> saying so.
    /// </summary>
    public void Run(int[] batch, Func<int[], double[]> compute, Action<int[], double[]> onScored)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var pending = new Stack<int[]>([batch]);
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (PaddedTokenLimit is long limit && part.Length > 1 && PaddedTokens(part) > limit)
            {
                foreach (var piece in SplitToLimit(part, limit).Reverse())
                    pending.Push(piece);
                continue;
            }
            double[] results;
            try
            {
                results = compute(part);
            }
            catch (Exception ex) when (IsOutOfMemory(ex))
            {
                if (part.Length == 1)
                {
                    throw new InsufficientMemoryException(
                        $"A single text of {lengths[part[0]]} tokens does not fit in the device's memory ({ex.Message.Split('\n')[0]}). " +
                        "Score on a device with more memory, in a smaller precision (--dtype bfloat16), or on the CPU.", ex);
                }
                PaddedTokenLimit = PaddedTokens(part) / 2;
                note?.Invoke($"Out of memory with {part.Length} texts ({PaddedTokens(part)} tokens with padding); retrying in halves, batches now at most {PaddedTokenLimit} tokens.");
                var half = part.Length / 2;
                pending.Push(part[half..]);
                pending.Push(part[..half]);
                continue;
            }
            onScored(part, results);
        }
    }

    /// <summary>True for the errors that mean memory ran out, on any device.</summary>
    public static bool IsOutOfMemory(Exception exception) => exception switch
    {
        InsufficientMemoryException => false, // Our own verdict on a single text (an OutOfMemoryException too): not retried.
        OutOfMemoryException => true,
        _ => exception.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase),
    };

    private long PaddedTokens(int[] part) => (long)part.Length * part.Max(i => lengths[i]);

    /// <summary>The batch cut into consecutive parts of at most <paramref name="limit"/> padded tokens (each at least one text).</summary>
    private IEnumerable<int[]> SplitToLimit(int[] batch, long limit)
    {
        var start = 0;
        while (start < batch.Length)
        {
            var count = 1;
            while (start + count < batch.Length && PaddedTokens(batch[start..(start + count + 1)]) <= limit)
                count++;
            yield return batch[start..(start + count)];
            start += count;
        }
    }
}
