using System.Buffers.Binary;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Tests.PaperData;
using static LogLikeMap.Tests.Checkpoints.SafetensorsWriter;

namespace LogLikeMap.Tests.Checkpoints;

public class SafetensorsFileTests
{
    private const string TwoTensorsHeader =
        "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,20]},\"a\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}}";

    [Fact]
    public void ReadsTheBytesTheSpecificationPlacesAtEachTensorsOffsets()
    {
        using var temp = new TempFolder();
        var path = Write(temp.Path, "m.safetensors", Bytes(TwoTensorsHeader, Float32(1.5f, -2f, 3f, 4.25f, -5f)));

        using var file = SafetensorsFile.Open(path);

        Assert.Equal(["a", "b"], file.TensorNames.Order());
        Assert.Equal("pt", file.Metadata["format"]);
        var b = file.Info("b");
        Assert.Equal(TensorDType.F32, b.DType);
        Assert.Equal([3L], b.Shape);
        Assert.Equal(12, b.ByteLength);
        Assert.Equal([2L, 1], file.Info("a").Shape);
        var bytes = new byte[12];
        file.ReadBytes("b", 0, bytes);
        Assert.Equal(Float32(3f, 4.25f, -5f), bytes);
        var last = new byte[4];
        file.ReadBytes("b", 8, last);
        Assert.Equal(-5f, BinaryPrimitives.ReadSingleLittleEndian(last));
    }

    [Fact]
    public void AcceptsAScalarAnEmptyTensorAndAPaddedHeader()
    {
        using var temp = new TempFolder();
        // The reference writer pads the header with spaces to an 8-byte boundary.
        var header = "{\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[0,2]},\"e\":{\"dtype\":\"I64\",\"shape\":[0,4],\"data_offsets\":[2,2]}}   ";
        var path = Write(temp.Path, "m.safetensors", Bytes(header, [0x80, 0x3F]));

        using var file = SafetensorsFile.Open(path);

        Assert.Equal(1, file.Info("s").ElementCount);
        Assert.Equal(0, file.Info("e").ByteLength);
        var scalar = new byte[2];
        file.ReadBytes("s", 0, scalar);
        Assert.Equal(new byte[] { 0x80, 0x3F }, scalar); // bfloat16 1.0
    }

    [Fact]
    public void ReadsTheFixtureHeadersAsTheirConfigsDescribeThem()
    {
        // config.json: gpt2-tiny has vocab 50257, n_embd 32, n_positions 2048 in float16 with a tied head;
        // llama-spm vocab 32000, hidden 32, 2 of 4 heads for k/v (16 rows), bfloat16, untied head.
        using var gpt2 = SafetensorsFile.Open(Path.Combine(ScoringFixtures.ModelFolder("gpt2-tiny"), "model.safetensors"));
        Assert.Equal(TensorDType.F16, gpt2.Info("transformer.wte.weight").DType);
        Assert.Equal([50257L, 32], gpt2.Info("transformer.wte.weight").Shape);
        Assert.Equal([2048L, 32], gpt2.Info("transformer.wpe.weight").Shape);
        Assert.False(gpt2.Contains("lm_head.weight"));

        using var llama = SafetensorsFile.Open(Path.Combine(ScoringFixtures.ModelFolder("llama-spm"), "model.safetensors"));
        Assert.Equal(TensorDType.BF16, llama.Info("lm_head.weight").DType);
        Assert.Equal([16L, 32], llama.Info("model.layers.1.self_attn.k_proj.weight").Shape);
        Assert.Equal(2 * 9 + 3, llama.TensorNames.Count); // 9 per layer + embed_tokens, norm, lm_head
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
        "tensors 'a' and 'b' overlap (bytes 4..8")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
        "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4,
        "tensor 'a' spans bytes 0..8 of the data section, which has only 4 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[100,108]}}", 8,
        "tensor 'a' spans bytes 100..108 of the data section, which has only 8 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", 12,
        "tensor 'a' has dtype F32 and shape (4,), which take 16 bytes, but its data_offsets span 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 24,
        "tensor 'a' has dtype F16 and shape (2, 3), which take 12 bytes, but its data_offsets span 24 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
        "tensor 'a' has dtype 'F8_E4M3', which LogLikeMap does not read (it reads F32, F16, BF16")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", 8,
        "the header is not valid JSON")]
    [InlineData("[1,2]", 0, "the header is not a JSON object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "tensor 'a': shape entry 0 is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "tensor 'a': \"data_offsets\" must be two non-negative integers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a': \"data_offsets\" must be")]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a': the header entry has no \"dtype\" string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "bytes 0..4 of the data section, before tensor 'a', belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "the tensors end at byte 8 of the data section but it holds 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "tensor 'a' appears twice")]
    [InlineData("{\"__metadata__\":{\"n\":3}}", 0, "\"__metadata__\" entry 'n' is not a string")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,0]}}", 0, "tensor 'a': the shape's element count overflows")]
    public void RefusesAHostileHeaderNamingTheFileAndTheFault(string header, int dataBytes, string expected)
    {
        using var temp = new TempFolder();
        var path = Write(temp.Path, "bad.safetensors", Bytes(header, new byte[dataBytes]));

        var ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(expected, ex.Message);
        Assert.StartsWith(path + " is not a valid safetensors file", ex.Message);
    }

    [Fact]
    public void RefusesAHugeHeaderLengthWithoutAllocatingIt()
    {
        using var temp = new TempFolder();
        var path = Write(temp.Path, "huge.safetensors", Bytes("{}", [], declaredHeaderLength: 1UL << 62));

        var ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("header length is 4611686018427387904 bytes, over the 100000000-byte limit", ex.Message);
    }

    [Fact]
    public void RefusesAHeaderLengthPastTheEndOfTheFile()
    {
        using var temp = new TempFolder();
        var path = Write(temp.Path, "short.safetensors", Bytes("{}", [], declaredHeaderLength: 5000));

        var ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("the header length is 5000 bytes but only 2 bytes follow it. The file is truncated", ex.Message);
    }

    [Fact]
    public void RefusesAFileShorterThanTheLengthField()
    {
        using var temp = new TempFolder();
        var path = Write(temp.Path, "tiny.safetensors", [1, 2, 3]);

        var ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("the file is 3 bytes long, shorter than the 8-byte header length", ex.Message);
    }

    [Fact]
    public void RefusesATruncatedFixtureNamingTheTensorCut()
    {
        using var temp = new TempFolder();
        var original = File.ReadAllBytes(Path.Combine(ScoringFixtures.ModelFolder("gpt2-tiny"), "model.safetensors"));
        var path = Write(temp.Path, "model.safetensors", original[..(original.Length - 1000)]);

        var ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        // The header says transformer.wte.weight, the last tensor, ends at byte 3398464 of the data section.
        Assert.Contains("tensor 'transformer.wte.weight' spans bytes 182016..3398464 of the data section, which has only 3397464 bytes", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void RefusesReadingOutsideATensor()
    {
        using var temp = new TempFolder();
        var path = Write(temp.Path, "m.safetensors", Bytes(TwoTensorsHeader, Float32(1, 2, 3, 4, 5)));
        using var file = SafetensorsFile.Open(path);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadBytes("a", 4, new byte[8]));

        Assert.Contains("Bytes 4..12 are outside tensor 'a' (8 bytes)", ex.Message);
    }
}
