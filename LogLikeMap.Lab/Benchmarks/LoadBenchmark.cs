using LogLikeMap.Scoring;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Scoring.Checkpoints.Tokenizers;
using LogLikeMap.Scoring.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Lab.Benchmarks;

/// <summary>The model sizes the load benchmark writes: Llama shapes of public checkpoints.</summary>
public enum LoadBenchmarkSize
{
    /// <summary>A 4-layer, 256-wide Llama (about 10M parameters): for tests.</summary>
    Tiny,

    /// <summary>TinyLlama-1.1B's shape: 22 layers, width 2,048, 32 heads with 4 key-value heads, vocabulary 32,000.</summary>
    OneBillion,

    /// <summary>Llama-2-7B's shape: 32 layers, width 4,096, 32 heads, vocabulary 32,000 (13.5 GB in bfloat16).</summary>
    SevenBillion,
}

/// <summary>What the load benchmark does.</summary>
/// <param name="Size">The Llama shape to write.</param>
/// <param name="Precision">The dtype the checkpoint is stored in and scored in.</param>
/// <param name="TextCount">Random texts scored after loading.</param>
/// <param name="TokensPerText">Tokens per text.</param>
/// <param name="Threads">libtorch CPU threads; all cores by default.</param>
/// <param name="Folder">Where to write the checkpoint; a temporary folder, deleted afterwards, by default.</param>
public sealed record LoadBenchmarkOptions(
    LoadBenchmarkSize Size = LoadBenchmarkSize.OneBillion,
    ScoringPrecision Precision = ScoringPrecision.BFloat16,
    int TextCount = 4,
    int TokensPerText = 128,
    int? Threads = null,
    string? Folder = null);

/// <summary>
/// What loading and scoring a checkpoint cost. Memory is the process's resident set (VmRSS, VmHWM); the peaks are
/// measured from the resident size before loading, the peak having been reset there when Linux allows it
/// (<see cref="PeakWasReset"/>), so writing the checkpoint does not count.
/// </summary>
public sealed record LoadBenchmarkResult(
    long Parameters,
    long WeightBytes,
    double WriteSeconds,
    double LoadSeconds,
    double ScoreSeconds,
    long Tokens,
    long? ResidentBeforeLoad,
    long? PeakAfterLoad,
    long? PeakAfterScoring,
    bool PeakWasReset);

/// <summary>
/// Writes a random Llama checkpoint (safetensors in the chosen dtype, one tensor at a time, so writing never holds
/// the model) and loads and scores it with <see cref="LogLikelihoodScorer"/> as <c>loglikemap score</c> would, timing
/// the load and reading the process's peak resident memory next to the weights' size: loading must not hold the
/// weights twice.
/// </summary>
public static class LoadBenchmark
{
    /// <summary>The config.json of a size (HF <c>LlamaConfig</c> fields).</summary>
    public static JsonObject Config(LoadBenchmarkSize size)
    {
        var (hidden, intermediate, layers, heads, keyValueHeads) = size switch
        {
            LoadBenchmarkSize.Tiny => (256, 688, 4, 8, 4),
            LoadBenchmarkSize.OneBillion => (2048, 5632, 22, 32, 4),
            _ => (4096, 11008, 32, 32, 32),
        };
        return new JsonObject
        {
            ["model_type"] = "llama",
            ["vocab_size"] = 32000,
            ["hidden_size"] = hidden,
            ["intermediate_size"] = intermediate,
            ["num_hidden_layers"] = layers,
            ["num_attention_heads"] = heads,
            ["num_key_value_heads"] = keyValueHeads,
            ["max_position_embeddings"] = 2048,
            ["rms_norm_eps"] = 1e-5,
            ["tie_word_embeddings"] = false,
        };
    }

    public static async Task<LoadBenchmarkResult> RunAsync(LoadBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = options.Folder ?? Path.Combine(Path.GetTempPath(), "loglikemap-load-bench-" + Guid.NewGuid().ToString("N"));
        var deleteAfterwards = options.Folder is null;
        try
        {
            var clock = Stopwatch.StartNew();
            var (parameters, weightBytes) = WriteRandomCheckpoint(folder, Config(options.Size), options.Precision, seed: 1234, cancellationToken);
            var writeSeconds = clock.Elapsed.TotalSeconds;
            GC.Collect();

            var peakWasReset = ProcessMemory.TryResetPeak();
            var residentBeforeLoad = ProcessMemory.ResidentBytes();
            clock.Restart();
            using var scorer = LogLikelihoodScorer.Load(folder, new ScoringOptions(options.Precision, Threads: options.Threads));
            var loadSeconds = clock.Elapsed.TotalSeconds;
            var peakAfterLoad = ProcessMemory.PeakResidentBytes();

            var random = new Random(42);
            var texts = Enumerable.Range(0, options.TextCount)
                .Select(i => new TokenizedText(i, Enumerable.Range(0, options.TokensPerText).Select(_ => random.Next(32000)).ToArray()))
                .ToArray();
            clock.Restart();
            await scorer.ScoreAsync(texts, progress: null, cancellationToken);
            var scoreSeconds = clock.Elapsed.TotalSeconds;
            return new LoadBenchmarkResult(
                parameters, weightBytes, writeSeconds, loadSeconds, scoreSeconds, (long)options.TextCount * options.TokensPerText,
                residentBeforeLoad, peakAfterLoad, ProcessMemory.PeakResidentBytes(), peakWasReset);
        }
        finally
        {
            if (deleteAfterwards && Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Writes config.json, a byte-level tokenizer (the 256 byte symbols, no merges) and model.safetensors with
    /// N(0, 0.02) matrices and unit norm weights, generated and written a block of rows at a time. The tensor names
    /// and shapes come from the model the registry builds for the config (uninitialised, so nothing is allocated for
    /// real). Returns the parameter count and the weights' bytes.
    /// </summary>
    internal static (long Parameters, long WeightBytes) WriteRandomCheckpoint(
        string folder, JsonObject config, ScoringPrecision precision, long seed, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, HfCheckpointWriter.ConfigFileName), config.ToJsonString());
        WriteByteTokenizer(folder);

        List<(string Name, long[] Shape)> tensors;
        using (var shapeOnly = ModelRegistry.Create(config))
            tensors = shapeOnly.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        var (dtype, storedName, elementBytes) = precision switch
        {
            ScoringPrecision.BFloat16 => (ScalarType.BFloat16, "BF16", 2),
            ScoringPrecision.Float16 => (ScalarType.Float16, "F16", 2),
            _ => (ScalarType.Float32, "F32", 4),
        };

        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            var bytes = shape.Aggregate(1L, (product, size) => product * size) * elementBytes;
            header[name] = new JsonObject
            {
                ["dtype"] = storedName,
                ["shape"] = new JsonArray([.. shape.Select(size => JsonValue.Create(size))]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var paddedLength = (headerBytes.Length + 7) / 8 * 8;

        using var stream = new FileStream(Path.Combine(folder, CheckpointWeights.SingleFileName), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> lengthPrefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthPrefix, (ulong)paddedLength);
        stream.Write(lengthPrefix);
        stream.Write(headerBytes);
        for (var i = headerBytes.Length; i < paddedLength; i++)
            stream.WriteByte((byte)' ');

        using var generator = new Generator((ulong)seed, CPU);
        foreach (var (name, shape) in tensors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = shape[0];
            var rowElements = shape.Skip(1).Aggregate(1L, (product, size) => product * size);
            var rowsPerBlock = Math.Max(1, (16L << 20) / (rowElements * elementBytes));
            for (long row = 0; row < rows; row += rowsPerBlock)
            {
                using var scope = NewDisposeScope();
                long[] blockShape = [Math.Min(rowsPerBlock, rows - row), .. shape[1..]];
                // HF's _init_weights: matrices N(0, initializer_range = 0.02), norm weights one.
                var block = shape.Length == 1
                    ? ones(blockShape, dtype: dtype, device: CPU)
                    : randn(blockShape, ScalarType.Float32, CPU, generator: generator).Times(0.02).to(dtype);
                stream.Write(block.bytes);
            }
        }
        return (tensors.Sum(t => t.Shape.Aggregate(1L, (product, size) => product * size)), offset);
    }

    /// <summary>A GPT-2-style byte-level vocabulary of the 256 byte symbols and no merges: every byte is a token.</summary>
    private static void WriteByteTokenizer(string folder)
    {
        var vocabulary = new JsonObject();
        for (var b = 0; b < 256; b++)
            vocabulary[ByteLevelAlphabet.Symbol((byte)b).ToString()] = b;
        File.WriteAllText(Path.Combine(folder, TokenizerFiles.VocabName), vocabulary.ToJsonString());
        File.WriteAllText(Path.Combine(folder, TokenizerFiles.MergesName), "#version: 0.2\n");
    }
}
