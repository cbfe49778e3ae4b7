using System.Text;

namespace LogLikeMap.Core.Formats.Pickles;

/// <summary>
/// The only Python callables a pickle may name. Each one is re-implemented here as a constructor of a plain value
/// with exactly the arguments numpy, datetime and collections write (checked against numpy 1.24's
/// <c>ndarray.__reduce__</c>/<c>__reduce_ex__</c>, <c>dtype.__reduce__</c> and CPython 3.11's pickle output);
/// nothing is imported or executed. numpy 2 moved the module <c>numpy.core</c> to <c>numpy._core</c>, so both spellings are allowed.
/// </summary>
internal sealed class AllowedGlobal
{
    private enum Kind
    {
        Reconstruct,   // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b'): an empty array, filled by BUILD
        NdArray,       // numpy.ndarray: only as _reconstruct's first argument
        Dtype,         // numpy.dtype('f8', False, True): a dtype, byte order set by BUILD
        Scalar,        // numpy.core.multiarray.scalar(dtype, raw bytes): one number
        FromBuffer,    // numpy.core.numeric._frombuffer(buffer, dtype, shape, order): protocol 5 arrays
        DateTime,      // datetime.datetime(10 packed bytes): a naive date and time
        OrderedDict,   // collections.OrderedDict(): an empty dict, filled by SETITEMS
        CodecsEncode,  // _codecs.encode(str, 'latin1'): how protocol 2 writes bytes from Python 3
    }

    private static readonly Dictionary<(string Module, string Name), Kind> Allowed = new()
    {
        [("numpy.core.multiarray", "_reconstruct")] = Kind.Reconstruct,
        [("numpy._core.multiarray", "_reconstruct")] = Kind.Reconstruct,
        [("numpy", "ndarray")] = Kind.NdArray,
        [("numpy", "dtype")] = Kind.Dtype,
        [("numpy.core.multiarray", "scalar")] = Kind.Scalar,
        [("numpy._core.multiarray", "scalar")] = Kind.Scalar,
        [("numpy.core.numeric", "_frombuffer")] = Kind.FromBuffer,
        [("numpy._core.numeric", "_frombuffer")] = Kind.FromBuffer,
        [("datetime", "datetime")] = Kind.DateTime,
        [("collections", "OrderedDict")] = Kind.OrderedDict,
        [("_codecs", "encode")] = Kind.CodecsEncode,
    };

    private readonly Kind _kind;
    private readonly string _module;
    private readonly string _name;

    private AllowedGlobal(Kind kind, string module, string name)
    {
        _kind = kind;
        _module = module;
        _name = name;
    }

    public override string ToString() => $"{_module}.{_name}";

    public static AllowedGlobal Resolve(string module, string name)
    {
        if (!Allowed.TryGetValue((module, name), out var kind))
        {
            throw new UnsafePickleException(
                $"it asks for the Python object '{module}.{name}', which LogLikeMap refuses to load (pickles can run code). " +
                $"Only these are allowed: {string.Join(", ", Allowed.Keys.Select(k => $"{k.Module}.{k.Name}"))}.");
        }
        return new AllowedGlobal(kind, module, name);
    }

    public object? Call(PickleTuple arguments) => _kind switch
    {
        Kind.Reconstruct => Reconstruct(arguments),
        Kind.Dtype => MakeDtype(arguments),
        Kind.Scalar => MakeScalar(arguments),
        Kind.FromBuffer => FromBuffer(arguments),
        Kind.DateTime => MakeDateTime(arguments),
        Kind.OrderedDict when arguments.Count == 0 => new PickleDict(),
        Kind.CodecsEncode => Latin1Encode(arguments),
        _ => throw Refused(arguments),
    };

    /// <summary>BUILD: numpy arrays and dtypes receive their state here; nothing else accepts a state.</summary>
    public static void Build(object? target, object? state, int at)
    {
        switch (target)
        {
            case NumpyArray array when state is PickleTuple t:
                FillArray(array, t);
                break;
            case NumpyDtype dtype when state is PickleTuple t:
                SetByteOrder(dtype, t);
                break;
            default:
                throw new UnsafePickleException(
                    $"BUILD at byte {at} sets the state of a {target?.GetType().Name ?? "None"}; LogLikeMap only does that for numpy arrays and dtypes.");
        }
    }

    private UnsafePickleException Refused(PickleTuple arguments) =>
        new($"{this} is called with {arguments.Count} arguments in a way numpy/Python never writes; refused.");

    private NumpyArray Reconstruct(PickleTuple arguments)
    {
        if (arguments.Count != 3 || arguments[0] is not AllowedGlobal { _kind: Kind.NdArray })
            throw Refused(arguments);
        return new NumpyArray();
    }

    /// <summary>ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)) as numpy writes it.</summary>
    private static void FillArray(NumpyArray array, PickleTuple state)
    {
        var offset = state.Count == 5 ? 1 : 0; // Version 1 states start with the version number.
        if (state.Count - offset != 4
            || state[offset] is not PickleTuple shape
            || state[offset + 1] is not NumpyDtype dtype
            || state[offset + 2] is not bool fortran)
            throw new InvalidDataException("A numpy array's state is not (shape, dtype, is_fortran, data).");
        if (state[offset + 3] is not byte[] data)
            throw new UnsafePickleException("A numpy array holds Python objects (dtype=object); only number arrays are read.");
        array.Fill(dtype, ToShape(shape), fortran, data);
    }

    private static int[] ToShape(PickleTuple shape) =>
        [.. shape.Items.Select(length => length is long n and >= 0 and <= int.MaxValue
            ? (int)n
            : throw new InvalidDataException($"A numpy array has an invalid dimension length '{length}'."))];

    private NumpyDtype MakeDtype(PickleTuple arguments)
    {
        if (arguments.Count != 3 || arguments[0] is not string code || code.Length < 2)
            throw Refused(arguments);
        var kind = code[0];
        if (kind is not ('f' or 'i' or 'u' or 'b') || !int.TryParse(code.AsSpan(1), out var size) || size is not (1 or 2 or 4 or 8))
        {
            throw new UnsafePickleException(
                $"numpy dtype '{code}' is not a plain number type (float, int, uint or bool); LogLikeMap reads only those.");
        }
        return new NumpyDtype(kind, size);
    }

    /// <summary>dtype.__setstate__((version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])).</summary>
    private static void SetByteOrder(NumpyDtype dtype, PickleTuple state)
    {
        if (state.Count < 8 || state[1] is not string order || state[2] is not null || state[3] is not null || state[4] is not null)
            throw new UnsafePickleException("A numpy dtype with sub-arrays or fields (a structured dtype) is not supported.");
        dtype.BigEndian = order switch
        {
            "<" or "|" or "=" => false,
            ">" => true,
            _ => throw new InvalidDataException($"numpy dtype byte order '{order}' is unknown."),
        };
    }

    private object MakeScalar(PickleTuple arguments)
    {
        if (arguments.Count != 2 || arguments[0] is not NumpyDtype dtype || arguments[1] is not byte[] data || data.Length != dtype.ItemSize)
            throw Refused(arguments);
        var value = dtype.ReadAsDouble(data, 0);
        return dtype.Kind switch
        {
            'f' => value,
            'b' => value != 0,
            _ => (long)value,
        };
    }

    private NumpyArray FromBuffer(PickleTuple arguments)
    {
        if (arguments.Count != 4
            || arguments[0] is not byte[] buffer
            || arguments[1] is not NumpyDtype dtype
            || arguments[2] is not PickleTuple shape
            || arguments[3] is not ("C" or "F"))
            throw Refused(arguments);
        var array = new NumpyArray();
        array.Fill(dtype, ToShape(shape), (string)arguments[3]! == "F", buffer);
        return array;
    }

    /// <summary>datetime.__reduce__ packs year (2 bytes, big-endian), month, day, hour, minute, second, microsecond (3 bytes).</summary>
    private DateTime MakeDateTime(PickleTuple arguments)
    {
        if (arguments.Count is < 1 or > 2 || arguments[0] is not byte[] { Length: 10 } b)
            throw Refused(arguments);
        if (arguments.Count == 2 && arguments[1] is not null)
            throw new UnsafePickleException("A datetime with a time zone object is not supported.");
        var microsecond = (b[7] << 16) | (b[8] << 8) | b[9];
        try
        {
            return new DateTime((b[0] << 8) | b[1], b[2] & 0x7F, b[3], b[4], b[5], b[6], DateTimeKind.Unspecified)
                .AddTicks(microsecond * 10L);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidDataException("A datetime in the pickle is not a valid date.", ex);
        }
    }

    private byte[] Latin1Encode(PickleTuple arguments)
    {
        if (arguments.Count != 2 || arguments[0] is not string text || arguments[1] is not ("latin1" or "latin-1"))
            throw Refused(arguments);
        if (text.Any(c => c > '\u00FF'))
            throw new InvalidDataException("Bytes written through _codecs.encode hold a character outside Latin-1.");
        return Encoding.Latin1.GetBytes(text);
    }
}
