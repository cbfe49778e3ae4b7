using System.Buffers.Binary;
using System.Text;

namespace LogLikeMap.Tests.Checkpoints;

/// <summary>
/// Writes safetensors bytes by hand from a header string and a data section, following the format's
/// specification (8-byte little-endian header length, JSON header, data), so tests can build valid and hostile
/// files whose every byte is known.
/// </summary>
internal static class SafetensorsWriter
{
    public static byte[] Bytes(string headerJson, byte[] data, ulong? declaredHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>Little-endian float32 bytes of the values.</summary>
    public static byte[] Float32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    public static string Write(string folder, string fileName, byte[] bytes)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
