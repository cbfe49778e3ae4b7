using static TorchSharp.torch;

namespace LogLikeMap.Core.Models;

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
    /// sum over the chosen experts e of weight(token, e) x expert_e(token), for tokens (N, C): each expert runs once
    /// on the tokens routed to it (experts no token chose are skipped), and its weighted outputs are added at their rows.
    /// </summary>
    public static Tensor Combine(Tensor tokens, Tensor weights, Tensor experts, int expertCount, Func<int, Tensor, Tensor> expert)
    {
        var output = zeros_like(tokens);                                                               // (N, C)
        var tokensPerExpert = experts.flatten().bincount(null, expertCount).cpu().data<long>().ToArray();
        for (var e = 0; e < expertCount; e++)
        {
            if (tokensPerExpert[e] == 0)
                continue;
            var routed = experts.eq(e).nonzero();                                                      // (M, 2): token, slot
            var token = routed.select(1, 0);                                                           // (M)
            var weight = weights[token, routed.select(1, 1)].unsqueeze(-1);                  // (M, 1)
            var result = expert(e, tokens.index_select(0, token)) * weight;                            // (M, C)
            output.index_add_(0, token, result, 1);
        }
        return output;
    }
}
