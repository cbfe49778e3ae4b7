using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace LogLikeMap.Core.Formats.Pickles;

/// <summary>
/// Reads the Python pickles of the paper's data release (protocols 2 to 5) without executing anything.
/// A pickle is a program for a stack machine whose GLOBAL and REDUCE opcodes import and call arbitrary Python
/// callables; here only the handful of callables the release's files use are known, each re-implemented as a
/// plain constructor of a value (see <see cref="AllowedGlobal"/>). Any other import is refused before it is
/// used. Opcode semantics follow CPython's Lib/pickle.py (_Unpickler) and Lib/pickletools.py.
/// </summary>
public static class RestrictedUnpickler
{
    /// <summary>Refuses pickles over this size: the release's largest (1018 x 10000 float64) is about 82 MB.</summary>
    public const long MaxPickleBytes = 2L << 30;

    public static object? Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"Pickle file '{path}' does not exist.", path);
        if (info.Length > MaxPickleBytes)
            throw new InvalidDataException($"Pickle file '{path}' is {info.Length} bytes, over the {MaxPickleBytes}-byte limit.");
        try
        {
            return Load(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Pickle file '{path}': {ex.Message}", ex);
        }
        catch (UnsafePickleException ex)
        {
            throw new UnsafePickleException($"Pickle file '{path}': {ex.Message}");
        }
    }

    public static object? Load(ReadOnlyMemory<byte> pickle) => new Machine(pickle).Run();

    /// <summary>The opcodes of pickle protocols 2 to 5 that the reader understands (values from pickletools).</summary>
    private enum Op : byte
    {
        Mark = (byte)'(',
        Stop = (byte)'.',
        Pop = (byte)'0',
        PopMark = (byte)'1',
        Dup = (byte)'2',
        BinInt = (byte)'J',
        BinInt1 = (byte)'K',
        BinInt2 = (byte)'M',
        None = (byte)'N',
        BinFloat = (byte)'G',
        BinUnicode = (byte)'X',
        Append = (byte)'a',
        Build = (byte)'b',
        Global = (byte)'c',
        Dict = (byte)'d',
        EmptyDict = (byte)'}',
        Appends = (byte)'e',
        Get = (byte)'g',
        BinGet = (byte)'h',
        LongBinGet = (byte)'j',
        List = (byte)'l',
        EmptyList = (byte)']',
        Put = (byte)'p',
        BinPut = (byte)'q',
        LongBinPut = (byte)'r',
        Reduce = (byte)'R',
        SetItem = (byte)'s',
        Tuple = (byte)'t',
        EmptyTuple = (byte)')',
        SetItems = (byte)'u',
        Proto = 0x80,
        Tuple1 = 0x85,
        Tuple2 = 0x86,
        Tuple3 = 0x87,
        NewTrue = 0x88,
        NewFalse = 0x89,
        Long1 = 0x8a,
        Long4 = 0x8b,
        BinBytes = (byte)'B',
        ShortBinBytes = (byte)'C',
        ShortBinUnicode = 0x8c,
        BinUnicode8 = 0x8d,
        BinBytes8 = 0x8e,
        StackGlobal = 0x93,
        Memoize = 0x94,
        Frame = 0x95,
        ByteArray8 = 0x96,
        ReadOnlyBuffer = 0x98,
    }

    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }

    private sealed class Machine(ReadOnlyMemory<byte> pickle)
    {
        private readonly ReadOnlyMemory<byte> _pickle = pickle;
        private readonly List<object?> _stack = [];
        private readonly Dictionary<long, object?> _memo = [];
        private int _position;

        public object? Run()
        {
            if (_pickle.Length < 2 || _pickle.Span[0] != (byte)Op.Proto)
                throw new InvalidDataException("This is not a pickle of protocol 2 or newer (it does not start with the PROTO opcode).");
            while (true)
            {
                var at = _position;
                var op = ReadByte();
                if (op == (byte)Op.Stop)
                {
                    if (_stack.Count != 1)
                        throw new InvalidDataException($"The pickle ended with {_stack.Count} values on the stack instead of 1.");
                    return Finish(_stack[0]);
                }
                Step(op, at);
            }
        }

        private void Step(byte op, int at)
        {
            switch ((Op)op)
            {
                case Op.Proto:
                    var protocol = ReadByte();
                    if (protocol is < 2 or > 5)
                        throw new InvalidDataException($"Pickle protocol {protocol} is not supported (2 to 5 are).");
                    break;
                case Op.Frame:
                    ReadBytes(8); // Framing only groups opcodes for buffered reading; the whole file is in memory.
                    break;
                case Op.Mark: _stack.Add(Mark.Instance); break;
                case Op.Pop: Pop(); break;
                case Op.PopMark: PopToMark(); break;
                case Op.Dup: _stack.Add(Peek()); break;
                case Op.None: _stack.Add(null); break;
                case Op.NewTrue: _stack.Add(true); break;
                case Op.NewFalse: _stack.Add(false); break;
                case Op.BinInt: _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case Op.BinInt1: _stack.Add((long)ReadByte()); break;
                case Op.BinInt2: _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case Op.Long1: _stack.Add(ReadLong(ReadByte())); break;
                case Op.Long4: _stack.Add(ReadLong(ReadLength(4))); break;
                case Op.BinFloat: _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case Op.ShortBinUnicode: _stack.Add(ReadUtf8(ReadByte())); break;
                case Op.BinUnicode: _stack.Add(ReadUtf8(ReadLength(4))); break;
                case Op.BinUnicode8: _stack.Add(ReadUtf8(ReadLength(8))); break;
                case Op.ShortBinBytes: _stack.Add(ReadBytes(ReadByte()).ToArray()); break;
                case Op.BinBytes: _stack.Add(ReadBytes(ReadLength(4)).ToArray()); break;
                case Op.BinBytes8: _stack.Add(ReadBytes(ReadLength(8)).ToArray()); break;
                case Op.ByteArray8: _stack.Add(ReadBytes(ReadLength(8)).ToArray()); break;
                case Op.ReadOnlyBuffer: break; // Marks the buffer on top as read-only; the values are copies anyway.
                case Op.EmptyTuple: _stack.Add(new PickleTuple([])); break;
                case Op.Tuple: _stack.Add(new PickleTuple(PopToMark())); break;
                case Op.Tuple1: _stack.Add(new PickleTuple(PopMany(1))); break;
                case Op.Tuple2: _stack.Add(new PickleTuple(PopMany(2))); break;
                case Op.Tuple3: _stack.Add(new PickleTuple(PopMany(3))); break;
                case Op.EmptyList: _stack.Add(new List<object?>()); break;
                case Op.List: _stack.Add(PopToMark()); break;
                case Op.Append: AppendTo(Pop(), at); break;
                case Op.Appends: AppendsTo(at); break;
                case Op.EmptyDict: _stack.Add(new PickleDict()); break;
                case Op.Dict: _stack.Add(DictFrom(PopToMark(), at)); break;
                case Op.SetItem: SetItems(PopMany(2), at); break;
                case Op.SetItems: SetItems(PopToMark(), at); break;
                case Op.Put: Memoize(long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture)); break;
                case Op.BinPut: Memoize(ReadByte()); break;
                case Op.LongBinPut: Memoize(ReadLength(4)); break;
                case Op.Memoize: Memoize(_memo.Count); break;
                case Op.Get: Recall(long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture), at); break;
                case Op.BinGet: Recall(ReadByte(), at); break;
                case Op.LongBinGet: Recall(ReadLength(4), at); break;
                case Op.Global:
                    var module = ReadLine();
                    _stack.Add(AllowedGlobal.Resolve(module, ReadLine()));
                    break;
                case Op.StackGlobal:
                    var name = Pop() as string;
                    var moduleName = Pop() as string;
                    if (moduleName is null || name is null)
                        throw new InvalidDataException($"STACK_GLOBAL at byte {at} needs two strings (module and name).");
                    _stack.Add(AllowedGlobal.Resolve(moduleName, name));
                    break;
                case Op.Reduce:
                    var arguments = Pop() as PickleTuple
                        ?? throw new InvalidDataException($"REDUCE at byte {at} needs a tuple of arguments.");
                    var callable = Pop() as AllowedGlobal
                        ?? throw new UnsafePickleException(
                            $"REDUCE at byte {at} calls something that is not one of the allowed classes; LogLikeMap never calls it.");
                    _stack.Add(callable.Call(arguments));
                    break;
                case Op.Build:
                    var state = Pop();
                    AllowedGlobal.Build(Peek(), state, at);
                    break;
                default:
                    throw new UnsafePickleException(
                        $"Opcode 0x{op:x2} ('{(char)op}') at byte {at} is not supported by LogLikeMap's restricted reader " +
                        "(it reads only the numbers, strings, lists, dicts, numpy arrays and datetimes of the paper's release).");
            }
        }

        private static object? Finish(object? value) =>
            value is AllowedGlobal global
                ? throw new InvalidDataException($"The pickle's value is the bare class {global}, not data.")
                : value;

        private byte ReadByte()
        {
            if (_position >= _pickle.Length)
                throw new InvalidDataException("The pickle ends early (truncated file?).");
            return _pickle.Span[_position++];
        }

        private ReadOnlySpan<byte> ReadBytes(long count)
        {
            if (count < 0 || count > _pickle.Length - _position)
                throw new InvalidDataException($"The pickle ends early: {count} bytes announced at byte {_position}, {_pickle.Length - _position} left.");
            var span = _pickle.Span.Slice(_position, (int)count);
            _position += (int)count;
            return span;
        }

        private long ReadLength(int width)
        {
            var bytes = ReadBytes(width);
            var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes);
            if (length < 0 || length > _pickle.Length)
                throw new InvalidDataException($"A length of {length} bytes at byte {_position - width} is larger than the whole pickle.");
            return length;
        }

        private string ReadUtf8(long count)
        {
            try
            {
                return new UTF8Encoding(false, true).GetString(ReadBytes(count));
            }
            catch (DecoderFallbackException ex)
            {
                throw new InvalidDataException($"A string ending at byte {_position} is not valid UTF-8.", ex);
            }
        }

        private string ReadLine()
        {
            var start = _position;
            while (ReadByte() != (byte)'\n')
            {
            }
            return Encoding.ASCII.GetString(_pickle.Span[start..(_position - 1)]);
        }

        /// <summary>Python's int from LONG1/LONG4: little-endian two's complement; the release only needs 64 bits.</summary>
        private object ReadLong(long count)
        {
            if (count > 8)
                throw new InvalidDataException($"An integer of {count} bytes at byte {_position} is larger than 64 bits.");
            var value = new BigInteger(ReadBytes(count), isUnsigned: false, isBigEndian: false);
            return (long)value;
        }

        private object? Pop()
        {
            if (_stack.Count == 0)
                throw new InvalidDataException($"The pickle pops from an empty stack at byte {_position - 1}.");
            var value = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            if (value is Mark)
                throw new InvalidDataException($"The pickle pops a MARK as a value at byte {_position - 1}.");
            return value;
        }

        private object? Peek() =>
            _stack.Count == 0 || _stack[^1] is Mark
                ? throw new InvalidDataException($"The pickle reads an empty stack at byte {_position - 1}.")
                : _stack[^1];

        private List<object?> PopMany(int count)
        {
            var values = new object?[count];
            for (var i = count - 1; i >= 0; i--)
                values[i] = Pop();
            return [.. values];
        }

        private List<object?> PopToMark()
        {
            var markIndex = _stack.FindLastIndex(value => value is Mark);
            if (markIndex < 0)
                throw new InvalidDataException($"The pickle has no MARK for the opcode at byte {_position - 1}.");
            var values = _stack.GetRange(markIndex + 1, _stack.Count - markIndex - 1);
            _stack.RemoveRange(markIndex, _stack.Count - markIndex);
            return values;
        }

        private void AppendTo(object? value, int at)
        {
            if (Peek() is not List<object?> list)
                throw new InvalidDataException($"APPEND at byte {at} needs a list.");
            list.Add(value);
        }

        private void AppendsTo(int at)
        {
            var values = PopToMark();
            if (Peek() is not List<object?> list)
                throw new InvalidDataException($"APPENDS at byte {at} needs a list.");
            list.AddRange(values);
        }

        private PickleDict DictFrom(List<object?> keysAndValues, int at)
        {
            var dict = new PickleDict();
            _stack.Add(dict);
            SetItems(keysAndValues, at);
            return (PickleDict)Pop()!;
        }

        private void SetItems(List<object?> keysAndValues, int at)
        {
            if (keysAndValues.Count % 2 != 0 || Peek() is not PickleDict dict)
                throw new InvalidDataException($"SETITEM(S) at byte {at} needs a dict and key/value pairs.");
            for (var i = 0; i < keysAndValues.Count; i += 2)
            {
                var key = keysAndValues[i] switch
                {
                    string or long or double or bool => keysAndValues[i]!,
                    _ => throw new InvalidDataException($"A dict key at byte {at} is not a string or a number."),
                };
                dict.Set(key, keysAndValues[i + 1]);
            }
        }

        private void Memoize(long slot) => _memo[slot] = Peek();

        private void Recall(long slot, int at)
        {
            if (!_memo.TryGetValue(slot, out var value))
                throw new InvalidDataException($"GET at byte {at} reads memo slot {slot}, which was never written.");
            _stack.Add(value);
        }
    }
}

/// <summary>A pickle asked for something LogLikeMap refuses to run (an import outside the allow-list, an unknown opcode).</summary>
public sealed class UnsafePickleException(string message) : Exception(message);
