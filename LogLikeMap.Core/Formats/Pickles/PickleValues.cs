namespace LogLikeMap.Core.Formats.Pickles;

// The plain values a restricted unpickle produces. Python's str, int, float, bool and None become
// string, long, double, bool and null; bytes and bytearray become byte[]; a list becomes List<object?>.

/// <summary>A Python tuple.</summary>
public sealed class PickleTuple(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;

    public int Count => Items.Count;

    public object? this[int index] => Items[index];
}

/// <summary>A Python dict (or collections.OrderedDict) in insertion order, as Python keeps it.</summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _entries = [];

    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    /// <summary>Sets a key as Python's dict does: a repeated key keeps its first position and takes the new value.</summary>
    internal void Set(object key, object? value)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (Equals(_entries[i].Key, key))
            {
                _entries[i] = new(key, value);
                return;
            }
        }
        _entries.Add(new(key, value));
    }

    public bool TryGet(string key, out object? value)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key is string s && s == key)
            {
                value = entry.Value;
                return true;
            }
        }
        value = null;
        return false;
    }
}

/// <summary>
/// A numpy dtype of a plain number: kind 'f' (float), 'i' (signed), 'u' (unsigned) or 'b' (bool), item size in
/// bytes and byte order. numpy pickles it as <c>dtype('f8', False, True)</c> followed by a BUILD whose state
/// tuple carries the byte order ('&lt;', '&gt;', '|' or '=').
/// </summary>
public sealed class NumpyDtype
{
    internal NumpyDtype(char kind, int itemSize)
    {
        Kind = kind;
        ItemSize = itemSize;
    }

    public char Kind { get; }

    public int ItemSize { get; }

    public bool BigEndian { get; internal set; }

    public override string ToString() => $"{(BigEndian ? '>' : '<')}{Kind}{ItemSize}";

    /// <summary>Reads one element at <paramref name="offset"/> as a double (floats exactly, integers as converted).</summary>
    internal double ReadAsDouble(ReadOnlySpan<byte> data, int offset)
    {
        var bytes = data.Slice(offset, ItemSize);
        Span<byte> ordered = stackalloc byte[ItemSize];
        bytes.CopyTo(ordered);
        if (BigEndian != !BitConverter.IsLittleEndian)
            ordered.Reverse();
        return (Kind, ItemSize) switch
        {
            ('f', 2) => (double)BitConverter.ToHalf(ordered),
            ('f', 4) => BitConverter.ToSingle(ordered),
            ('f', 8) => BitConverter.ToDouble(ordered),
            ('i', 1) => (sbyte)ordered[0],
            ('i', 2) => BitConverter.ToInt16(ordered),
            ('i', 4) => BitConverter.ToInt32(ordered),
            ('i', 8) => BitConverter.ToInt64(ordered),
            ('u', 1) => ordered[0],
            ('u', 2) => BitConverter.ToUInt16(ordered),
            ('u', 4) => BitConverter.ToUInt32(ordered),
            ('u', 8) => BitConverter.ToUInt64(ordered),
            ('b', 1) => ordered[0] != 0 ? 1 : 0,
            _ => throw new InvalidDataException($"numpy dtype {this} is not a plain number type."),
        };
    }
}

/// <summary>A numpy ndarray of plain numbers: dtype, shape, memory order and its raw bytes.</summary>
public sealed class NumpyArray
{
    private NumpyDtype? _dtype;
    private int[]? _shape;
    private byte[]? _data;

    public NumpyDtype Dtype => _dtype ?? throw Unfilled();

    public IReadOnlyList<int> Shape => _shape ?? throw Unfilled();

    /// <summary>True for Fortran (column-major) memory order.</summary>
    public bool FortranOrder { get; private set; }

    public long ElementCount => Shape.Aggregate(1L, (product, length) => product * length);

    /// <summary>All elements as doubles in C (row-major) order, whatever the memory order in the file.</summary>
    public double[] ToDoubles()
    {
        var dtype = Dtype;
        var data = _data!;
        var count = checked((int)ElementCount);
        var values = new double[count];
        var nativeOrder = dtype.BigEndian != BitConverter.IsLittleEndian;
        if (nativeOrder && dtype is { Kind: 'f', ItemSize: 8 })
        {
            // The release's float64 arrays: a plain copy.
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data.AsSpan(0, count * 8)).CopyTo(values);
        }
        else if (nativeOrder && dtype is { Kind: 'f', ItemSize: 4 })
        {
            // model-data's float32 arrays: widen each value exactly.
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.AsSpan(0, count * 4));
            for (var i = 0; i < count; i++)
                values[i] = floats[i];
        }
        else
        {
            for (var i = 0; i < count; i++)
                values[i] = dtype.ReadAsDouble(data, i * dtype.ItemSize);
        }
        if (FortranOrder && Shape.Count == 2)
            return Transpose(values, Shape[1], Shape[0]);
        if (FortranOrder && Shape.Count > 2)
            throw new InvalidDataException("A Fortran-ordered numpy array with more than 2 dimensions is not supported.");
        return values;
    }

    internal void Fill(NumpyDtype dtype, int[] shape, bool fortranOrder, byte[] data)
    {
        var count = shape.Aggregate(1L, (product, length) => product * length);
        if (count * dtype.ItemSize != data.LongLength)
            throw new InvalidDataException(
                $"A numpy array of shape ({string.Join(", ", shape)}) and dtype {dtype} needs {count * dtype.ItemSize} bytes, the file holds {data.LongLength}.");
        _dtype = dtype;
        _shape = shape;
        FortranOrder = fortranOrder;
        _data = data;
    }

    private static double[] Transpose(double[] values, int rows, int columns)
    {
        // values holds a rows x columns matrix in row-major order; the result is its transpose.
        var result = new double[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                result[(c * rows) + r] = values[(r * columns) + c];
        return result;
    }

    private static InvalidDataException Unfilled() =>
        new("A numpy array in the pickle never received its data (no BUILD after _reconstruct).");
}
