using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// Top-k routing of the sparse mixture-of-experts blocks (HF <c>MixtralSparseMoeBlock</c>,
/// <c>Qwen2MoeSparseMoeBlock</c>, <c>Qwen3MoeSparseMoeBlock</c>): each token goes to the k experts its router scores
/// highest, and the block's output is the sum of their outputs weighted by the router's probabilities.
/// </summary>
internal static class ExpertRouting
{
    /// <summary>
    /// The routing of tokens (N, C) given the router's logits (N, E): softmax over all experts in float32, the k
    /// largest probabilities and their experts, the probabilities renormalised to sum to one when asked (Mixtral always,
    /// the Qwen MoEs with <c>norm_topk_prob</c>), then cast back to the model's dtype, as HF does.
    /// </summary>
    /// <returns>Weights (N, k) in <paramref name="dtype"/> and the chosen experts (N, k).</returns>
    public static (Tensor Weights, Tensor Experts) Route(Tensor routerLogits, int topK, bool renormalise, ScalarType dtype)
    {
        var probabilities = routerLogits.to(ScalarType.Float32).softmax(-1);                          // (N, E)
        var (weights, experts) = probabilities.topk(topK, dim: -1);                                    // (N, k) each
        if (renormalise)
            weights = weights / weights.sum(-1, keepdim: true);
        return (weights.to(dtype), experts);
    }

    /// <summary>
    /// sum over the chosen experts e of weight(token, e) x expert_e(token), for tokens (N, C). The (token, expert)
    /// pairs are sorted by expert (stably, so tokens stay in order within an expert), each expert runs once on its
    /// contiguous run of tokens (experts no token chose are skipped), and one index_add puts the weighted outputs back
    /// at their rows, adding them in expert order as HF's loop over experts does.
    /// </summary>
    public static Tensor Combine(Tensor tokens, Tensor weights, Tensor experts, int expertCount, Func<int, Tensor, Tensor> expert)
    {
        var topK = experts.shape[1];
        var (sortedExperts, pairs) = experts.flatten().sort(0, descending: false, stable: true);     // (N*k) each
        var tokenOfPair = pairs.FloorDividedBy(topK);                                                 // (N*k)
        var sortedWeights = weights.flatten().index_select(0, pairs);                                 // (N*k)
        var pairsPerExpert = sortedExperts.bincount(null, expertCount).cpu().data<long>().ToArray();
        var outputs = new List<Tensor>();
        long start = 0;
        for (var e = 0; e < expertCount; e++)
        {
            var count = pairsPerExpert[e];
            if (count == 0)
                continue;
            var routed = tokenOfPair.narrow(0, start, count);                                         // (M)
            var result = expert(e, tokens.index_select(0, routed));                                    // (M, C)
            outputs.Add(result * sortedWeights.narrow(0, start, count).unsqueeze(-1));
            start += count;
        }
        return zeros_like(tokens).AddAtIndices(0, tokenOfPair, cat(outputs, 0));                      // (N, C)
    }
}
