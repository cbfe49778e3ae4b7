using System.Text.Json;
using System.Text.RegularExpressions;

namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// The weights of a Hugging Face checkpoint folder: one <c>model.safetensors</c>, or shards
/// <c>model-0000x-of-0000y.safetensors</c> listed by <c>model.safetensors.index.json</c> (the layout
/// <c>transformers</c>' <c>save_pretrained</c> writes). Every file's header is validated when opened; tensor bytes
/// are read on demand. Pickled weights (<c>pytorch_model.bin</c>, <c>*.pt</c>, <c>*.pth</c>) are refused: unpickling
/// runs code chosen by whoever wrote the file.
/// </summary>
public sealed partial class CheckpointWeights : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _fileOfTensor;

    private CheckpointWeights(string folder, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOfTensor)
    {
        Folder = folder;
        _files = files;
        _fileOfTensor = fileOfTensor;
    }

    /// <summary>Full path of the checkpoint folder.</summary>
    public string Folder { get; }

    /// <summary>Names of all tensors across all weight files.</summary>
    public IReadOnlyCollection<string> TensorNames => _fileOfTensor.Keys;

    /// <summary>Opens and validates the weights of a checkpoint folder; throws <see cref="CheckpointException"/> saying what is wrong and what to do.</summary>
    public static CheckpointWeights Open(string checkpointFolder)
    {
        var folder = Path.GetFullPath(checkpointFolder);
        if (!Directory.Exists(folder))
            throw new CheckpointException($"{folder}: the checkpoint folder does not exist.");
        var single = Path.Combine(folder, SingleFileName);
        var index = Path.Combine(folder, IndexFileName);
        if (File.Exists(single))
            return OpenSingle(folder, single);
        if (File.Exists(index))
            return OpenSharded(folder, index);
        throw new CheckpointException(DescribeMissingWeights(folder));
    }

    /// <summary>
    /// The parameters the checkpoint stores: the elements of every tensor, read from the safetensors headers alone. A
    /// weight tied to another (GPT-2's lm_head to wte) is counted once, since safetensors stores it once.
    /// </summary>
    public long ParameterCount => _fileOfTensor.Keys.Sum(name => Info(name).ElementCount);

    /// <summary>True when the checkpoint has a tensor of that name.</summary>
    public bool Contains(string name) => _fileOfTensor.ContainsKey(name);

    /// <summary>Dtype and shape of a tensor; throws naming the missing tensor and the folder.</summary>
    public TensorInfo Info(string name) => FileOf(name).Info(name);

    /// <summary>Copies a whole tensor's raw little-endian bytes into <paramref name="destination"/>, which must be exactly <see cref="TensorInfo.ByteLength"/> long.</summary>
    public void ReadBytes(string name, Span<byte> destination)
    {
        var file = FileOf(name);
        var length = file.Info(name).ByteLength;
        if (destination.Length != length)
            throw new ArgumentException($"Tensor '{name}' in {file.Path} has {length} bytes; the destination holds {destination.Length}.", nameof(destination));
        file.ReadBytes(name, 0, destination);
    }

    /// <summary>Copies part of a tensor's raw bytes, from <paramref name="offsetInTensor"/> until the destination is full: for tensors over 2 GB or bounded buffers.</summary>
    public void ReadBytes(string name, long offsetInTensor, Span<byte> destination) => FileOf(name).ReadBytes(name, offsetInTensor, destination);

    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
    }

    private SafetensorsFile FileOf(string name) =>
        _fileOfTensor.TryGetValue(name, out var file)
            ? file
            : throw new CheckpointException($"{Folder}: the checkpoint has no tensor '{name}' ({_fileOfTensor.Count} tensors found). The weights do not belong to this architecture or were saved incompletely; check config.json's model_type and save the model again.");

    private static CheckpointWeights OpenSingle(string folder, string path)
    {
        var file = SafetensorsFile.Open(path);
        return new CheckpointWeights(folder, [file], file.TensorNames.ToDictionary(n => n, _ => file, StringComparer.Ordinal));
    }

    /// <summary>
    /// A sharded checkpoint: the index's <c>weight_map</c> names the shard of each tensor. Each shard named is opened
    /// and validated; the index must agree with the shards' headers, and no tensor may sit in two shards.
    /// </summary>
    private static CheckpointWeights OpenSharded(string folder, string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var files = new List<SafetensorsFile>();
        try
        {
            var fileByName = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var shardName in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var shardPath = Path.Combine(folder, shardName);
                if (!File.Exists(shardPath))
                    throw new CheckpointException($"{indexPath} names the shard '{shardName}', which is not in the folder. Copy all the shards of the checkpoint.");
                var shard = SafetensorsFile.Open(shardPath);
                files.Add(shard);
                fileByName.Add(shardName, shard);
            }
            var fileOfTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shardName) in weightMap)
            {
                if (!fileByName[shardName].Contains(tensor))
                    throw new CheckpointException($"{indexPath} puts tensor '{tensor}' in '{shardName}', but that shard does not hold it. The index and the shards come from different saves; copy the checkpoint again.");
                fileOfTensor.Add(tensor, fileByName[shardName]);
            }
            foreach (var shard in files)
            {
                foreach (var tensor in shard.TensorNames)
                {
                    if (fileOfTensor.TryGetValue(tensor, out var owner) && owner != shard)
                        throw new CheckpointException($"{folder}: tensor '{tensor}' is in both {Path.GetFileName(owner.Path)} and {Path.GetFileName(shard.Path)}. The shards come from different saves; copy the checkpoint again.");
                    if (!fileOfTensor.ContainsKey(tensor))
                        throw new CheckpointException($"{shard.Path} holds tensor '{tensor}', which {indexPath} does not list. The index and the shards come from different saves; copy the checkpoint again.");
                }
            }
            return new CheckpointWeights(folder, files, fileOfTensor);
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{indexPath} is not valid JSON ({ex.Message}).", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{indexPath} has no \"weight_map\" object mapping tensor names to shard files.");
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointException($"{indexPath}: weight_map entry '{entry.Name}' is not a file name.");
                var shardName = entry.Value.GetString()!;
                // A shard must be a plain file name in the folder: a path could point the reader anywhere on the server.
                if (!ShardFileName().IsMatch(shardName))
                    throw new CheckpointException($"{indexPath}: weight_map puts '{entry.Name}' in '{shardName}', which is not a .safetensors file name inside the checkpoint folder.");
                if (!weightMap.TryAdd(entry.Name, shardName))
                    throw new CheckpointException($"{indexPath}: weight_map lists tensor '{entry.Name}' twice.");
            }
            if (weightMap.Count == 0)
                throw new CheckpointException($"{indexPath}: weight_map is empty.");
            return weightMap;
        }
    }

    /// <summary>Explains why no safetensors weights were found, and what to do, depending on what the folder holds instead.</summary>
    private static string DescribeMissingWeights(string folder)
    {
        var names = Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var pickles = names.Where(n => n.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || n.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase)).ToList();
        if (pickles.Count > 0)
            return $"{folder} holds pickled PyTorch weights ({string.Join(", ", pickles)}) and no {SingleFileName}. LogLikeMap does not load pickles: "
                + "unpickling can run any code the file's author put in it. Convert the checkpoint to safetensors on a machine you trust, e.g. "
                + "`python -c \"from transformers import AutoModelForCausalLM as M; M.from_pretrained('IN').save_pretrained('OUT', safe_serialization=True)\"`, "
                + "then use the OUT folder (with its tokenizer files).";
        var shards = names.Where(n => ShardFileName().IsMatch(n)).ToList();
        if (shards.Count > 0)
            return $"{folder} holds safetensors shards ({string.Join(", ", shards)}) but no {IndexFileName} saying which tensor is in which shard. Copy the index file from the original checkpoint.";
        return $"{folder} holds no weights: expected {SingleFileName}, or shards with {IndexFileName}. Save the model with transformers' save_pretrained (safe_serialization=True).";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+\.safetensors$")]
    private static partial Regex ShardFileName();
}
