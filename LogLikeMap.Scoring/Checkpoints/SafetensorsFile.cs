using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// One <c>.safetensors</c> file, opened and validated, whose tensors are read on demand straight from disk.
/// </summary>
/// <remarks>
/// Layout (huggingface/safetensors, <c>docs/source/index.mdx</c>): 8 bytes of little-endian u64 header length N,
/// N bytes of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>
/// (offsets relative to the data section that follows the header) plus an optional <c>"__metadata__"</c> map of
/// strings, then the data section. The checks follow the reference reader's (<c>Metadata::validate</c> in
/// <c>safetensors/src/tensor.rs</c>): header at most 100 MB, every tensor's bytes equal to shape x dtype size,
/// tensors laid end to end from offset 0 to the end of the file with no overlap and no gap. A file that passes
/// can be read without trusting anything else it says. Only the header is kept in memory; tensor bytes are read
/// with positional reads into the caller's buffer, so loading a model never needs twice its size.
/// </remarks>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>The reference reader's limit on the header (<c>MAX_HEADER_SIZE</c>), which keeps a hostile length from allocating gigabytes.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, (TensorInfo Info, long Start)> _tensors;

    private SafetensorsFile(string path, SafeFileHandle handle, Dictionary<string, (TensorInfo, long)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> strings (empty when it has none), e.g. <c>{"format": "pt"}</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Names of the tensors in the file.</summary>
    public IReadOnlyCollection<string> TensorNames => _tensors.Keys;

    /// <summary>Opens a file and validates its header; throws <see cref="CheckpointException"/> naming the file and the fault.</summary>
    public static SafetensorsFile Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new CheckpointException($"{path}: the safetensors file does not exist.");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var (tensors, metadata) = ReadHeader(path, handle);
            return new SafetensorsFile(path, handle, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>Dtype and shape of a tensor.</summary>
    public TensorInfo Info(string name) => Find(name).Info;

    /// <summary>
    /// Copies bytes of a tensor's raw little-endian data, starting <paramref name="offsetInTensor"/> bytes into it,
    /// until <paramref name="destination"/> is full. Reading in pieces lets a caller move a tensor larger than a span
    /// (over 2 GB) or bound its buffers.
    /// </summary>
    public void ReadBytes(string name, long offsetInTensor, Span<byte> destination)
    {
        var (info, start) = Find(name);
        if (offsetInTensor < 0 || offsetInTensor + destination.Length > info.ByteLength)
            throw new ArgumentOutOfRangeException(nameof(offsetInTensor),
                $"Bytes {offsetInTensor}..{offsetInTensor + destination.Length} are outside tensor '{name}' ({info.ByteLength} bytes) in {Path}.");
        var position = start + offsetInTensor;
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(_handle, destination, position);
            if (read == 0)
                throw new CheckpointException($"{Path}: the file ended while reading tensor '{name}'; it was changed or truncated after it was opened. Copy the checkpoint again.");
            destination = destination[read..];
            position += read;
        }
    }

    public void Dispose() => _handle.Dispose();

    private (TensorInfo Info, long Start) Find(string name) =>
        _tensors.TryGetValue(name, out var entry)
            ? entry
            : throw new CheckpointException($"{Path}: the file holds no tensor '{name}'.");

    private static (Dictionary<string, (TensorInfo, long)>, IReadOnlyDictionary<string, string>) ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw Bad(path, $"the file is {fileLength} bytes long, shorter than the 8-byte header length. The file is truncated or not a safetensors file; copy or convert it again");
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw Bad(path, $"the header length is {headerLength} bytes, over the {MaxHeaderBytes}-byte limit of the safetensors format. The file is corrupt or not a safetensors file");
        if ((long)headerLength > fileLength - 8)
            throw Bad(path, $"the header length is {headerLength} bytes but only {fileLength - 8} bytes follow it. The file is truncated; copy or download it again");

        var header = new byte[headerLength];
        ReadExactly(handle, header, 8);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw Bad(path, $"the header is not valid JSON ({ex.Message}). The file is corrupt or not a safetensors file", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, "the header is not a JSON object");
            var tensors = new Dictionary<string, (TensorInfo, long)>(StringComparer.Ordinal);
            var ranges = new List<(long Begin, long End, string Name)>();
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    metadata = ReadMetadata(path, property.Value);
                    continue;
                }
                if (tensors.ContainsKey(property.Name))
                    throw Bad(path, $"tensor '{property.Name}' appears twice in the header");
                var (info, begin, end) = ReadTensorEntry(path, property.Name, property.Value);
                if (end > dataLength)
                    throw Bad(path, $"tensor '{info.Name}' spans bytes {begin}..{end} of the data section, which has only {dataLength} bytes. The file is truncated or corrupt; copy or download it again");
                tensors.Add(info.Name, (info, dataStart + begin));
                ranges.Add((begin, end, info.Name));
            }
            CheckLaidEndToEnd(path, ranges, dataLength);
            return (tensors, metadata);
        }
    }

    private static (TensorInfo Info, long Begin, long End) ReadTensorEntry(string path, string name, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw Bad(path, $"tensor '{name}': the header entry is not a JSON object");
        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor '{name}': the header entry has no \"dtype\" string");
        var dtypeName = dtypeElement.GetString()!;
        if (!TensorDTypes.TryParse(dtypeName, out var dtype))
            throw Bad(path, $"tensor '{name}' has dtype '{dtypeName}', which LogLikeMap does not read (it reads {string.Join(", ", TensorDTypes.HeaderNames)}). Save the checkpoint in float32, float16 or bfloat16");

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor '{name}': the header entry has no \"shape\" array");
        var shape = new long[shapeElement.GetArrayLength()];
        var elementCount = 1L;
        var index = 0;
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var size) || size < 0)
                throw Bad(path, $"tensor '{name}': shape entry {index} is not a non-negative integer");
            shape[index++] = size;
            elementCount = size == 0 ? 0 : elementCount <= long.MaxValue / size ? elementCount * size
                : throw Bad(path, $"tensor '{name}': the shape's element count overflows");
        }
        if (elementCount > long.MaxValue / dtype.SizeInBytes())
            throw Bad(path, $"tensor '{name}': the shape's byte size overflows");

        if (!entry.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2
            || !offsetsElement[0].TryGetInt64(out var begin) || !offsetsElement[1].TryGetInt64(out var end)
            || begin < 0 || end < begin)
            throw Bad(path, $"tensor '{name}': \"data_offsets\" must be two non-negative integers [begin, end] with begin <= end");

        var info = new TensorInfo(name, dtype, shape);
        if (end - begin != info.ByteLength)
            throw Bad(path, $"tensor '{name}' has dtype {dtypeName} and shape {info.ShapeText}, which take {info.ByteLength} bytes, but its data_offsets span {end - begin} bytes. The header and the data disagree; the file is corrupt");
        return (info, begin, end);
    }

    private static Dictionary<string, string> ReadMetadata(string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Bad(path, "\"__metadata__\" must be a JSON object of strings");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Bad(path, $"\"__metadata__\" entry '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
        return metadata;
    }

    /// <summary>The tensors must tile the data section exactly: sorted by offset, each starts where the previous ends.</summary>
    private static void CheckLaidEndToEnd(string path, List<(long Begin, long End, string Name)> ranges, long dataLength)
    {
        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        var expectedBegin = 0L;
        var previous = "";
        foreach (var (begin, end, name) in ranges)
        {
            if (begin < expectedBegin)
                throw Bad(path, $"tensors '{previous}' and '{name}' overlap (bytes {begin}..{Math.Min(end, expectedBegin)} of the data section belong to both). The file is corrupt or hostile");
            if (begin > expectedBegin)
                throw Bad(path, $"bytes {expectedBegin}..{begin} of the data section, before tensor '{name}', belong to no tensor. The file is corrupt");
            expectedBegin = end;
            previous = name;
        }
        if (expectedBegin != dataLength)
            throw Bad(path, $"the tensors end at byte {expectedBegin} of the data section but it holds {dataLength} bytes. The file is corrupt");
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
                throw new EndOfStreamException();
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static CheckpointException Bad(string path, string what, Exception? inner = null)
    {
        var message = $"{path} is not a valid safetensors file: {what}.";
        return inner is null ? new CheckpointException(message) : new CheckpointException(message, inner);
    }
}
