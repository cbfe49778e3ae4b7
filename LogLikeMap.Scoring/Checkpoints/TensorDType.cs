namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// The element types a safetensors header may name (the <c>dtype</c> strings of the safetensors format, see
/// huggingface/safetensors <c>safetensors/src/tensor.rs</c>, enum <c>Dtype</c>). The 8-bit float and unsigned
/// 16/32/64-bit types of the format are left out: no supported architecture stores weights in them, and a
/// header that names them is refused rather than read wrongly.
/// </summary>
public enum TensorDType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool }

/// <summary>Parsing and sizes of <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    private static readonly Dictionary<string, TensorDType> ByHeaderName = new(StringComparer.Ordinal)
    {
        ["F32"] = TensorDType.F32,
        ["F16"] = TensorDType.F16,
        ["BF16"] = TensorDType.BF16,
        ["F64"] = TensorDType.F64,
        ["I64"] = TensorDType.I64,
        ["I32"] = TensorDType.I32,
        ["I16"] = TensorDType.I16,
        ["I8"] = TensorDType.I8,
        ["U8"] = TensorDType.U8,
        ["BOOL"] = TensorDType.Bool,
    };

    /// <summary>The dtype strings this reader accepts, as a header writes them.</summary>
    public static IReadOnlyCollection<string> HeaderNames => ByHeaderName.Keys;

    /// <summary>Reads a header's dtype string (<c>"BF16"</c>); false for one this reader does not know.</summary>
    public static bool TryParse(string headerName, out TensorDType dtype) => ByHeaderName.TryGetValue(headerName, out dtype);

    /// <summary>Bytes per element.</summary>
    public static int SizeInBytes(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
        TensorDType.I8 or TensorDType.U8 or TensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown tensor dtype."),
    };
}
