using LogLikeMap.Scoring.Models;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring;

/// <summary>
/// The log-likelihood of each text of one batch (docs/method.md §1.2): sum over t >= 1 of log p(y_t | y_&lt;t) in
/// nats, the first token never scored. Texts are right-padded into one (B, T) batch; padding sits after every real
/// token, so under causal attention it changes no real token's logits, and padded positions are never scored.
/// </summary>
internal static class BatchLogLikelihood
{
    /// <summary>
    /// Logit elements (positions x vocabulary) per chunk, whatever V is: the logits in the model's dtype and their
    /// float32 log-softmax, 128 MB each in float32.
    /// </summary>
    private const long LogitElementsPerChunk = 1L << 25;

    /// <summary>One sum per text, in the order given. Call inside <c>torch.inference_mode()</c> and a dispose scope.</summary>
    public static double[] Compute(CausalLanguageModel model, ScoringHead head, IReadOnlyList<IReadOnlyList<int>> texts, Device device)
    {
        var longest = texts.Max(t => t.Count);
        var sums = new double[texts.Count];
        if (longest < 2)
            return sums;  // nothing to predict: a text of one token scores 0

        // Inputs, and for every scored position its flat index into (B, T), its target id and its text.
        var padded = new long[texts.Count * longest];
        var positions = new List<long>();
        var targets = new List<long>();
        var owners = new List<long>();
        for (var b = 0; b < texts.Count; b++)
        {
            var ids = texts[b];
            for (var t = 0; t < ids.Count; t++)
                padded[b * longest + t] = ids[t];
            for (var t = 0; t + 1 < ids.Count; t++)
            {
                positions.Add(b * longest + t);
                targets.Add(ids[t + 1]);
                owners.Add(b);
            }
        }

        var inputIds = tensor(padded, [texts.Count, longest], ScalarType.Int64, device);            // (B, T)
        var hidden = model.HiddenStates(inputIds);                                                  // (B, T, C)
        hidden = hidden.reshape(-1, hidden.shape[^1])
                       .index_select(0, tensor(positions.ToArray(), ScalarType.Int64, device));     // (N, C)
        var targetIds = tensor(targets.ToArray(), ScalarType.Int64, device);                        // (N)

        // log p(target) from log_softmax in float32 (as transformers' callers take it), over chunks of positions so
        // that the (positions x V) logits stay bounded for large vocabularies; only the target's log-prob is kept.
        // libtorch's fused log_softmax is about 5x faster on CPU than logit[target] - logsumexp(logits).
        var chunk = Math.Max(1, LogitElementsPerChunk / model.VocabularySize);
        var pieces = new List<Tensor>();
        for (long start = 0; start < positions.Count; start += chunk)
        {
            // Each chunk's logits are freed before the next chunk's exist, or the chunking would bound nothing.
            using var chunkScope = NewDisposeScope();
            var length = Math.Min(chunk, positions.Count - start);
            var logits = head.Logits(hidden.narrow(0, start, length));                               // (n, V')
            var logProbabilities = logits.log_softmax(1, ScalarType.Float32);                        // (n, V')
            var target = targetIds.narrow(0, start, length).unsqueeze(1);                           // (n, 1)
            pieces.Add(logProbabilities.gather(1, target).squeeze(1).MoveToOuterDisposeScope());    // (n)
        }

        // Per-token log-probs are float32 (as transformers gives them); the sums are float64 (as the paper's
        // Python loop adds floats).
        var tokenLogProbs = cat(pieces, 0).to(ScalarType.Float64);                                  // (N)
        var perText = zeros(texts.Count, ScalarType.Float64, device)
            .AddAtIndices(0, tensor(owners.ToArray(), ScalarType.Int64, device), tokenLogProbs);    // (B)
        return perText.cpu().data<double>().ToArray();
    }
}
