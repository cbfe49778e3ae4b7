using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Models;
using static TorchSharp.torch;

namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// Computes the zoo models that are not trained (<see cref="ZooDerivation"/>) from saved float32 checkpoints, tensor by
/// tensor, and saves them like any zoo model: the first source's config.json and tokenizer files, float32 weights.
/// </summary>
public static class ZooDerivations
{
    /// <summary>Writes <paramref name="spec"/>'s model to <c>ZOO/NAME</c> from its sources in <paramref name="zooFolder"/>.</summary>
    public static void Write(ZooModelSpec spec, string zooFolder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var derivation = spec.Derivation ?? throw new ArgumentException($"{spec.Name} is trained, not derived.", nameof(spec));
        var sources = derivation.Sources.Distinct(StringComparer.Ordinal).ToDictionary(
            name => name,
            name => ReadWeights(Path.Combine(zooFolder, name), spec.Name),
            StringComparer.Ordinal);
        var first = sources[derivation.Sources[0]];
        foreach (var (name, weights) in sources)
        {
            if (!weights.Keys.Order(StringComparer.Ordinal).SequenceEqual(first.Keys.Order(StringComparer.Ordinal))
                || weights.Any(w => !w.Value.Shape.SequenceEqual(first[w.Key].Shape)))
                throw new InvalidOperationException($"{spec.Name}: {name} has other tensors or shapes than {derivation.Sources[0]}; only models of one shape can be combined.");
        }

        var output = first.Select(pair => new NamedTensor(pair.Key, pair.Value.Shape, derivation switch
        {
            WeightMix mix => Mix(mix, sources, pair.Key),
            LowRankDelta lowRank => LowRank(sources[lowRank.Base][pair.Key], sources[lowRank.FineTune][pair.Key], lowRank.Rank),
            RoundTrip roundTrip => Round(pair.Value, roundTrip.Format),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), derivation, "Not a zoo derivation."),
        })).ToList();

        var sourceFolder = Path.Combine(zooFolder, derivation.Sources[0]);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(sourceFolder, HfCheckpointWriter.ConfigFileName)))!.AsObject();
        var tokenizerFiles = Directory.GetFiles(sourceFolder)
            .Where(file => Path.GetFileName(file) is not (HfCheckpointWriter.ConfigFileName or HfCheckpointWriter.WeightsFileName))
            .ToDictionary(file => Path.GetFileName(file), File.ReadAllText, StringComparer.Ordinal);
        HfCheckpointWriter.Write(Path.Combine(zooFolder, spec.Name), new HfCheckpoint(config, output, tokenizerFiles));
    }

    /// <summary>A stored tensor as float32 values with its stored shape.</summary>
    public sealed record StoredTensor(long[] Shape, float[] Values);

    /// <summary>Every tensor of a zoo checkpoint (all float32, as the zoo saves them).</summary>
    public static Dictionary<string, StoredTensor> ReadWeights(string checkpointFolder, string forModel)
    {
        if (!Directory.Exists(checkpointFolder))
            throw new DirectoryNotFoundException($"{forModel} is computed from {checkpointFolder}, which is not saved yet; list it earlier in the recipe.");
        using var weights = CheckpointWeights.Open(checkpointFolder);
        var tensors = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var name in weights.TensorNames)
        {
            var info = weights.Info(name);
            if (info.DType != TensorDType.F32)
                throw new InvalidDataException($"{checkpointFolder}: tensor {name} is {info.DType}; zoo checkpoints are F32.");
            var values = new float[info.ElementCount];
            weights.ReadBytes(name, MemoryMarshal.AsBytes(values.AsSpan()));
            tensors[name] = new StoredTensor(info.Shape, values);
        }
        return tensors;
    }

    private static float[] Mix(WeightMix mix, Dictionary<string, Dictionary<string, StoredTensor>> sources, string tensor)
    {
        var length = sources[mix.Terms[0].Model][tensor].Values.Length;
        var sum = new double[length];
        foreach (var term in mix.Terms)
        {
            var values = sources[term.Model][tensor].Values;
            for (var i = 0; i < length; i++)
                sum[i] += term.Weight * values[i];
        }
        return [.. sum.Select(v => (float)v)];
    }

    /// <summary>W_base + the best rank-r approximation of W_fine-tune - W_base for a matrix; the base's values for a vector.</summary>
    internal static float[] LowRank(StoredTensor baseTensor, StoredTensor fineTune, int rank)
    {
        if (baseTensor.Shape.Length != 2)
            return [.. baseTensor.Values];
        using var scope = NewDisposeScope();
        var delta = tensor(fineTune.Values, baseTensor.Shape, ScalarType.Float32, CPU) - tensor(baseTensor.Values, baseTensor.Shape, ScalarType.Float32, CPU);
        var (u, s, vh) = linalg.svd(delta.to(ScalarType.Float64), fullMatrices: false);
        var r = Math.Min(rank, s.shape[0]);
        var approximation = u[.., ..(int)r].matmul(diag(s[..(int)r])).matmul(vh[..(int)r, ..]);
        var merged = tensor(baseTensor.Values, baseTensor.Shape, ScalarType.Float32, CPU).to(ScalarType.Float64).Plus(approximation).to(ScalarType.Float32);
        return merged.contiguous().data<float>().ToArray();
    }

    internal static float[] Round(StoredTensor stored, RoundTripFormat format) => format switch
    {
        RoundTripFormat.Float16 => [.. stored.Values.Select(v => (float)(Half)v)],
        RoundTripFormat.BFloat16 => [.. stored.Values.Select(BFloat16)],
        RoundTripFormat.Int8 => Int8(stored),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Round to nearest even on the upper 16 bits, as torch's float32 to bfloat16 conversion.</summary>
    internal static float BFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return BitConverter.UInt32BitsToSingle((bits + rounding) & 0xFFFF0000u);
    }

    /// <summary>Symmetric int8 with one scale per stored row (largest magnitude / 127); vectors are left as they are.</summary>
    internal static float[] Int8(StoredTensor stored)
    {
        if (stored.Shape.Length != 2)
            return [.. stored.Values];
        var columns = (int)stored.Shape[1];
        var result = new float[stored.Values.Length];
        for (var row = 0; row < stored.Shape[0]; row++)
        {
            var values = stored.Values.AsSpan(row * columns, columns);
            var largest = 0f;
            foreach (var v in values)
                largest = Math.Max(largest, Math.Abs(v));
            var scale = largest / 127f;
            for (var c = 0; c < columns; c++)
                result[(row * columns) + c] = scale == 0 ? 0 : Math.Clamp(MathF.Round(values[c] / scale), -127, 127) * scale;
        }
        return result;
    }
}
