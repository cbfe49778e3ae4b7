using System.Buffers.Binary;

namespace LogLikeMap.Store;

/// <summary>Score vectors as compact little-endian blobs: float64 log-likelihoods, int32 token counts.</summary>
public static class VectorBlobs
{
    public static byte[] FromDoubles(ReadOnlySpan<double> values)
    {
        var blob = new byte[values.Length * sizeof(double)];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(i * sizeof(double)), values[i]);
        return blob;
    }

    public static double[] ToDoubles(byte[] blob)
    {
        if (blob.Length % sizeof(double) != 0)
            throw new InvalidDataException($"A stored score vector has {blob.Length} bytes, not a whole number of float64 values.");
        var values = new double[blob.Length / sizeof(double)];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(blob.AsSpan(i * sizeof(double)));
        return values;
    }

    public static byte[] FromInts(ReadOnlySpan<int> values)
    {
        var blob = new byte[values.Length * sizeof(int)];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(i * sizeof(int)), values[i]);
        return blob;
    }

    public static int[] ToInts(byte[] blob)
    {
        if (blob.Length % sizeof(int) != 0)
            throw new InvalidDataException($"Stored token counts have {blob.Length} bytes, not a whole number of int32 values.");
        var values = new int[blob.Length / sizeof(int)];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(i * sizeof(int)));
        return values;
    }
}
