using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// The weight-bearing layers the architectures are built from, their weights left uninitialised: every model is
/// either loaded from a checkpoint (<see cref="CheckpointLoader"/>, which refuses one with a tensor missing) or
/// initialised by <see cref="CausalLanguageModel.InitializeWeights"/>, so TorchSharp's own random initialisation would
/// only be overwritten. Building a 1.24B Llama in bfloat16 on 2 cores took 9.7 s with it and takes 0.08 s without.
/// </summary>
/// <remarks>
/// Every parameter is born in the dtype and on the device of the model being built on this thread
/// (<see cref="Building"/>, which <see cref="ModelRegistry.Create"/> opens): a bfloat16 model never holds a float32
/// copy, and an upload's shape check builds on <c>meta</c> without storage. This is per thread on purpose: libtorch's
/// default dtype and TorchSharp's default device are process-wide, and borrowing them while another thread scored
/// gave that thread's new tensors the wrong device (docs/stack.md, "Process-wide defaults").
/// </remarks>
internal static class Layers
{
    /// <summary>Where parameters go on a thread that builds no model through <see cref="Building"/>.</summary>
    private static readonly (ScalarType Dtype, Device Device) Unscoped = (ScalarType.Float32, CPU);

    [ThreadStatic]
    private static (ScalarType Dtype, Device Device)? _building;

    /// <summary>The dtype and device of the model being built on this thread.</summary>
    public static (ScalarType Dtype, Device Device) Placement => _building ?? Unscoped;

    /// <summary>Parameters made on this thread until the result is disposed are born in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static IDisposable Building(ScalarType dtype, Device device)
    {
        var previous = _building;
        _building = (dtype, device);
        return new Restore(() => _building = previous);
    }

    /// <summary>An uninitialised parameter of the given shape.</summary>
    public static Parameter Parameter(params long[] shape) =>
        nn.Parameter(empty(shape, dtype: Placement.Dtype, device: Placement.Device));

    /// <summary>A parameter of ones (a norm's scale).</summary>
    public static Parameter Ones(long size) => nn.Parameter(ones(size, dtype: Placement.Dtype, device: Placement.Device));

    /// <summary>A parameter of zeros (Gemma's norm, which scales by 1 + weight).</summary>
    public static Parameter Zeros(long size) => nn.Parameter(zeros(size, dtype: Placement.Dtype, device: Placement.Device));

    /// <summary><c>nn.Linear</c>: weight (out, in), an optional bias (out).</summary>
    public static Linear Linear(long inputSize, long outputSize, bool hasBias = true) =>
        nn.Linear(Parameter(outputSize, inputSize), hasBias ? Parameter(outputSize) : null);

    /// <summary><c>nn.LayerNorm</c> over the last dimension.</summary>
    public static LayerNorm LayerNorm(long size, double eps, bool elementwise_affine = true, bool bias = true) =>
        nn.LayerNorm(size, eps, elementwise_affine, bias, Placement.Device, Placement.Dtype);

    /// <summary><c>nn.Embedding</c>: weight (count, size).</summary>
    public static EmbeddingTable Embedding(long count, long size) => new(count, size);

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>
/// <c>nn.Embedding</c> without its options: a table of <c>weight</c> (count, size) whose rows the ids pick. Written out
/// because TorchSharp's <c>Embedding_from_pretrained</c> initialises a random table before copying the given one in
/// (2 s of the 1.24B model's 2.3 s build).
/// </summary>
internal sealed class EmbeddingTable : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public EmbeddingTable(long count, long size) : base(nameof(EmbeddingTable))
    {
        weight = Layers.Parameter(count, size);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>Ids of any shape (..., ) to their rows (..., size).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var flat = ids.flatten();
        using var rows = weight.index_select(0, flat);
        return rows.view([.. ids.shape, weight.shape[1]]);
    }
}
