using System.Buffers.Binary;
using System.Text;
using LogLikeMap.Scoring.Checkpoints;

namespace LogLikeMap.Tests.Zoo;

/// <summary>
/// The writer against the safetensors specification worked by hand, and against the project's validating reader
/// (<see cref="CheckpointWeights"/>, written independently for uploads).
/// </summary>
public sealed class SafetensorsWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llm-zoo-st-" + Guid.NewGuid().ToString("N"));

    public SafetensorsWriterTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void One_tensor_is_laid_out_as_the_specification_says()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        SafetensorsWriter.Write(path, [new NamedTensor("a", [2], [1f, 2f])]);

        // Header: {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 bytes, padded with two spaces to 56.
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes(56UL));
        expected.AddRange(Encoding.UTF8.GetBytes(header));
        expected.AddRange("  "u8.ToArray());
        expected.AddRange([0x00, 0x00, 0x80, 0x3F]); // 1.0f little-endian
        expected.AddRange([0x00, 0x00, 0x00, 0x40]); // 2.0f little-endian
        Assert.Equal(54, Encoding.UTF8.GetByteCount(header));
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void The_projects_reader_reads_back_names_shapes_and_values()
    {
        var tensors = new[]
        {
            new NamedTensor("transformer.wte.weight", [3, 2], [0.5f, -1.25f, 3f, 4f, -0f, 1e-7f]),
            new NamedTensor("transformer.ln_f.bias", [2], [7f, 8f]),
        };
        SafetensorsWriter.Write(Path.Combine(_folder, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var weights = CheckpointWeights.Open(_folder);
        Assert.Equal(tensors.Select(t => t.Name).Order(), weights.TensorNames.Order());
        foreach (var tensor in tensors)
        {
            var info = weights.Info(tensor.Name);
            Assert.Equal(TensorDType.F32, info.DType);
            Assert.Equal(tensor.Shape, info.Shape);
            var bytes = new byte[tensor.Values.Length * 4];
            weights.ReadBytes(tensor.Name, bytes);
            var values = Enumerable.Range(0, tensor.Values.Length)
                .Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)))
                .ToArray();
            Assert.Equal(tensor.Values, values);
        }
    }

    [Fact]
    public void A_shape_that_does_not_hold_the_values_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(Path.Combine(_folder, "bad.safetensors"), [new NamedTensor("w", [2, 2], [1f, 2f, 3f])]));
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
    }
}
