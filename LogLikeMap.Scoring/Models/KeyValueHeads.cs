using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>Grouped-query attention's sharing of key/value heads among query heads.</summary>
internal static class KeyValueHeads
{
    /// <summary>
    /// HF <c>repeat_kv</c>: each of the nkv key/value heads serves <paramref name="groups"/> query heads,
    /// (B, nkv, T, hd) to (B, nkv*groups, T, hd), the same as <c>torch.repeat_interleave(x, groups, dim=1)</c>.
    /// </summary>
    public static Tensor Repeat(Tensor x, int groups)
    {
        if (groups == 1)
            return x;
        var (b, kv, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(b, kv, groups, t, d).reshape(b, kv * groups, t, d);
    }
}
