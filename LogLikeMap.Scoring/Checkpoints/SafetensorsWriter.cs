using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>One float32 tensor to be written: its checkpoint key, shape and values in row-major order.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Values)
{
    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);
}

/// <summary>
/// Writes the safetensors format (huggingface/safetensors, docs "Format"): an 8-byte little-endian header length,
/// a JSON header mapping each name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to
/// the end of the header) plus optional <c>__metadata__</c> strings, then the raw little-endian data.
/// The header is padded with spaces to a multiple of 8 bytes, as the reference writer does, so every tensor
/// starts aligned. Only F32 is written: the zoo's models are small and the scorer upcasts to float32 anyway.
/// </summary>
public static class SafetensorsWriter
{
    private const int Alignment = 8;

    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
                meta[key] = value;
            header["__metadata__"] = meta;
        }

        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (string.IsNullOrEmpty(tensor.Name) || tensor.Name == "__metadata__" || !names.Add(tensor.Name))
                throw new ArgumentException($"Tensor name '{tensor.Name}' is empty, reserved or repeated.", nameof(tensors));
            if (tensor.Shape.Any(size => size < 0) || tensor.ElementCount != tensor.Values.Length)
                throw new ArgumentException(
                    $"Tensor '{tensor.Name}': shape [{string.Join(", ", tensor.Shape)}] does not hold {tensor.Values.Length} values.",
                    nameof(tensors));
            var byteLength = (long)tensor.Values.Length * sizeof(float);
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. tensor.Shape.Select(size => JsonValue.Create(size))]),
                ["data_offsets"] = new JsonArray(offset, offset + byteLength),
            };
            offset += byteLength;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var paddedLength = (headerBytes.Length + Alignment - 1) / Alignment * Alignment;

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> lengthPrefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthPrefix, (ulong)paddedLength);
        stream.Write(lengthPrefix);
        stream.Write(headerBytes);
        for (var i = headerBytes.Length; i < paddedLength; i++)
            stream.WriteByte((byte)' ');
        foreach (var tensor in tensors)
            WriteLittleEndian(stream, tensor.Values);
    }

    private static void WriteLittleEndian(Stream stream, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        Span<byte> buffer = stackalloc byte[4];
        foreach (var value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            stream.Write(buffer);
        }
    }
}
