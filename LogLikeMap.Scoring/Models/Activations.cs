using LogLikeMap.Scoring.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The activation functions of HF's <c>activations.py</c> (ACT2FN) that the supported models name.</summary>
internal static class Activations
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> ByName = new(StringComparer.Ordinal)
    {
        // Exact GELU, x * Phi(x) (GELUActivation).
        ["gelu"] = x => nn.functional.gelu(x),
        // GPT-2's tanh approximation (NewGELUActivation); "gelu_pytorch_tanh" is the same formula fused in PyTorch.
        ["gelu_new"] = GeluTanh,
        ["gelu_pytorch_tanh"] = GeluTanh,
        ["silu"] = x => nn.functional.silu(x),
        ["swish"] = x => nn.functional.silu(x),
        ["relu"] = x => nn.functional.relu(x),
    };

    /// <summary>0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), fused in libtorch rather than five tensor passes.</summary>
    private static Tensor GeluTanh(Tensor x) => nn.functional.gelu(x, GELU.Approximate.tanh);

    public static Func<Tensor, Tensor> Named(string name) =>
        ByName.TryGetValue(name, out var activation)
            ? activation
            : throw new CheckpointException(
                $"config.json: the activation '{name}' is not supported; supported: {string.Join(", ", ByName.Keys)}.");
}
