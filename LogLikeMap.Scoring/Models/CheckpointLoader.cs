using LogLikeMap.Scoring.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// Builds the model a checkpoint folder describes and reads its weights in, one tensor at a time, so that loading
/// needs the model's memory and little more, never two copies of the checkpoint: a tensor stored in the model's dtype
/// is read from the file straight into its parameter's storage (CPU), any other one passes through a bounded staging
/// buffer of a few rows at a time (dtype conversion, a transposed layout, or a CUDA parameter). Reads are positional
/// file reads (pread) rather than a memory map: mapped pages would count in the process's resident memory on top of
/// the parameters until unmapped, where a read fills the parameter and leaves the file in the kernel's page cache only.
/// </summary>
public static class CheckpointLoader
{
    /// <summary>
    /// The model of <paramref name="folder"/> in <paramref name="dtype"/> on <paramref name="device"/>, in eval mode.
    /// Every parameter must be in the checkpoint with the shape config.json implies; otherwise the error names the
    /// first mis-shaped tensor or the missing ones. Extra tensors (a tied head stored anyway, old attention-mask
    /// buffers) are ignored, as transformers does.
    /// </summary>
    public static CausalLanguageModel Load(CheckpointFolder folder, ScalarType dtype, Device device)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var architecture = ModelRegistry.Find(folder.ModelType);
        var model = ModelRegistry.Create(folder.Config, dtype);
        try
        {
            model.to(device);
            using var weights = CheckpointWeights.Open(folder.Path);
            LoadWeights(model, weights, architecture, folder.Path);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The most bytes read into one span: a span addresses at most 2 GB, which the largest embeddings exceed.</summary>
    internal const long MaxBytesPerRead = 1L << 30;

    /// <summary>The most bytes of a staging buffer, for tensors that cannot be read in place (16 MiB: a few rows of the largest matrices).</summary>
    internal const long MaxStagingBytes = 16L << 20;

    /// <summary>Copies each parameter's tensor from <paramref name="weights"/>, converting F16/BF16/F32/F64 to the parameter's dtype.</summary>
    internal static void LoadWeights(
        CausalLanguageModel model, CheckpointWeights weights, ModelArchitecture architecture, string source,
        long maxBytesPerRead = MaxBytesPerRead, long maxStagingBytes = MaxStagingBytes)
    {
        var stored = weights.TensorNames.ToHashSet(StringComparer.Ordinal);
        var plan = new List<(Tensor Parameter, TensorInfo Stored, bool Transposed)>();
        var missing = new List<string>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var key = StoredKey(name, architecture.BaseModelPrefix, stored);
            if (key is null)
            {
                missing.Add(name);
                continue;
            }
            var info = weights.Info(key);
            var transposed = model.StoredTransposed(name);
            var storedShape = transposed ? parameter.shape.Reverse().ToArray() : parameter.shape;
            if (!info.Shape.SequenceEqual(storedShape))
            {
                throw new CheckpointException(
                    $"{source}: the tensor '{key}' has shape [{string.Join(", ", info.Shape)}], but this config.json " +
                    $"({architecture.ModelType}) needs [{string.Join(", ", storedShape)}]. The weights do not belong to this config.");
            }
            plan.Add((parameter, info, transposed));
        }
        if (missing.Count > 0)
        {
            throw new CheckpointException(
                $"{source}: the checkpoint lacks {missing.Count} tensor(s) that a {architecture.ModelType} model with this " +
                $"config.json needs: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}.");
        }

        using var noGrad = no_grad();
        foreach (var (parameter, info, transposed) in plan)
        {
            using var scope = NewDisposeScope();
            var storedType = FloatingType(info, source);
            if (!transposed && parameter.dtype == storedType && parameter.device_type == DeviceType.CPU && parameter.is_contiguous())
            {
                ReadInPlace(weights, info, parameter, maxBytesPerRead);
                continue;
            }
            // The parameter seen in the stored layout: GPT-2's Conv1D keeps (in, out), the module (out, in).
            var destination = transposed ? parameter.t() : parameter;
            ReadThroughStaging(weights, info, storedType, destination, maxStagingBytes);
        }
    }

    /// <summary>Reads a tensor's bytes into the parameter's own storage, in slices of whole rows of at most <paramref name="maxBytes"/>.</summary>
    private static void ReadInPlace(CheckpointWeights weights, TensorInfo info, Tensor parameter, long maxBytes)
    {
        if (info.ByteLength <= maxBytes || info.Shape.Length == 0)
        {
            weights.ReadBytes(info.Name, parameter.bytes);
            return;
        }
        var rows = info.Shape[0];
        var rowBytes = info.ByteLength / rows;
        var rowsPerRead = Math.Max(1, maxBytes / rowBytes);
        for (long row = 0; row < rows; row += rowsPerRead)
        {
            using var slice = parameter.narrow(0, row, Math.Min(rowsPerRead, rows - row));             // contiguous rows
            weights.ReadBytes(info.Name, row * rowBytes, slice.bytes);
        }
    }

    /// <summary>
    /// Reads a tensor a few rows at a time into a CPU buffer of its stored dtype and copies each slice into the
    /// destination, which converts the dtype and moves it to the destination's device.
    /// </summary>
    private static void ReadThroughStaging(CheckpointWeights weights, TensorInfo info, ScalarType storedType, Tensor destination, long maxBytes)
    {
        if (info.Shape.Length == 0)
        {
            using var scalar = empty([], dtype: storedType, device: CPU);
            weights.ReadBytes(info.Name, scalar.bytes);
            destination.copy_(scalar);
            return;
        }
        var rows = info.Shape[0];
        if (rows == 0)
            return;
        var rowBytes = info.ByteLength / rows;
        var rowsPerRead = Math.Clamp(maxBytes / Math.Max(1, rowBytes), 1, rows);
        // The file is read into a staging buffer on the CPU, whatever device the model is on.
        using var buffer = empty([rowsPerRead, .. info.Shape[1..]], dtype: storedType, device: CPU);
        for (long row = 0; row < rows; row += rowsPerRead)
        {
            var count = Math.Min(rowsPerRead, rows - row);
            using var staging = buffer.narrow(0, 0, count);                                              // contiguous rows
            weights.ReadBytes(info.Name, row * rowBytes, staging.bytes);
            using var target = destination.narrow(0, row, count);
            target.copy_(staging);
        }
    }

    /// <summary>The checkpoint key for a parameter: its own name, or the name without the body prefix.</summary>
    internal static string? StoredKey(string parameterName, string baseModelPrefix, IReadOnlySet<string> stored)
    {
        if (stored.Contains(parameterName))
            return parameterName;
        if (parameterName.StartsWith(baseModelPrefix, StringComparison.Ordinal)
            && stored.Contains(parameterName[baseModelPrefix.Length..]))
            return parameterName[baseModelPrefix.Length..];
        return null;
    }

    private static ScalarType FloatingType(TensorInfo info, string source) => info.DType switch
    {
        TensorDType.F32 => ScalarType.Float32,
        TensorDType.F16 => ScalarType.Float16,
        TensorDType.BF16 => ScalarType.BFloat16,
        TensorDType.F64 => ScalarType.Float64,
        _ => throw new CheckpointException(
            $"{source}: the tensor '{info.Name}' is stored as {info.DType}; weights must be F32, F16, BF16 or F64."),
    };
}
