using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Formats.Pickles;

namespace LogLikeMap.Tests.PaperData;

/// <summary>Expected numbers come from make_fixtures.py (numpy 1.24), see make_fixtures.out.txt.</summary>
public class PaperPickleTests
{
    [Fact]
    public void SampleMatrixHasTheReleaseShapeAndNumpysNumbers()
    {
        var loaded = MatrixFiles.Load(PaperDataFiles.SampleMatrix, CancellationToken.None);
        var m = loaded.Matrix;

        Assert.Equal(60, m.ModelCount);
        Assert.Equal(500, m.TextCount);
        Assert.Equal(["aaditya/Llama3-OpenBioLLM-8B", "abacusai/Giraffe-13b-32k-v3", "abhinand/Llama-3-OpenBioMed-8B-slerp-v0.3"], m.ModelNames.Take(3));
        Assert.Equal("cookinai/CatMacaroni14", m.ModelNames[^1]);
        Assert.Equal(-15454.643413436315, m.Values.ToArray().Min());
        Assert.Equal(-104.53650812851816, m.Values.ToArray().Max());
        // numpy sums pairwise, C# in order: equal to rounding (1e-6 absolute on 3.2e5).
        Assert.Equal(-320109.19389652525, m.Row(0).ToArray().Sum(), 1e-6);
        Assert.Equal(-550.806080399965, m.Row(7)[123]);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), loaded.TextIndices);
    }

    [Fact]
    public void SampleModelNamesAreAmongThePapers1018()
    {
        var models1018 = PaperDataFiles.Models1018();
        Assert.Equal(1018, models1018.Count);
        var m = MatrixFiles.Read(PaperDataFiles.SampleMatrix, CancellationToken.None);
        Assert.All(m.ModelNames, name => Assert.Contains(name, models1018));
    }

    [Fact]
    public void NameTypeColorHasTheReadmesFamilyCounts()
    {
        var entries = NameTypeColorFile.Read(PaperDataFiles.NameTypeColor);

        Assert.Equal(1018, entries.Count);
        var counts = entries.GroupBy(e => e.Family).ToDictionary(g => g.Key, g => g.Count());
        var readme = new Dictionary<string, int>
        {
            ["mistral"] = 232, ["llama-2"] = 223, ["llama-1"] = 69, ["llama-3"] = 62, ["gpt_neox"] = 54, ["deepseek"] = 26,
            ["gptj"] = 19, ["gemma"] = 18, ["opt"] = 15, ["bloom"] = 12, ["falcon"] = 11, ["others"] = 277,
        };
        Assert.Equal(readme.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        Assert.Equal(PaperDataFiles.Models1018().Order(StringComparer.Ordinal), entries.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NameTypeColorReadsFloatAndNumpyScalarColours()
    {
        var entries = NameTypeColorFile.Read(PaperDataFiles.NameTypeColor);

        // Plain Python floats (the "others" grey) ...
        Assert.Equal(new ModelFamilyEntry("01-ai/Yi-1.5-6B", "others", new RgbaColor(0.8274509803921568, 0.8274509803921568, 0.8274509803921568, 1.0), "llama"), entries[0]);
        // ... and numpy.core.multiarray.scalar float64 values (the family colours).
        var mistral = entries.First(e => e.Family == "mistral");
        Assert.Equal("AIJUUD/juud-Mistral-7B", mistral.Name);
        Assert.Equal(new RgbaColor(0.8392156862745098, 0.15294117647058825, 0.1568627450980392, 1.0), mistral.Color);
        Assert.Equal("#d62728", mistral.Color.ToHex()); // matplotlib's tab:red
    }

    [Fact]
    public void ModelDataReadsDatetimesFloat32ArraysAndNaNs()
    {
        var records = ModelDataFile.Read(PaperDataFiles.SampleModelData);

        Assert.Equal(60, records.Count);
        Assert.Equal("aaditya/Llama3-OpenBioLLM-8B", records[0].Name);
        Assert.Equal(new DateTime(2023, 4, 8), records[0].CreatedAt);
        Assert.Equal(new DateTime(2024, 4, 22), records[1].CreatedAt);
        Assert.Equal(-861.2075805664062, records[0].LogLikelihood[0]);
        Assert.Equal(-320109.19367980957, records[0].LogLikelihood.Sum(), 1e-6);
        Assert.Equal(12, records.Count(r => r.Benchmarks["score_v1_ARC"] is null));
    }

    [Fact]
    public void ModelDataPickleAlsoReadsAsAMatrix()
    {
        var m = MatrixFiles.Read(PaperDataFiles.SampleModelData, CancellationToken.None);
        Assert.Equal(60, m.ModelCount);
        Assert.Equal(500, m.TextCount);
        Assert.Equal(-861.2075805664062, m.Row(0)[0]);
    }

    [Theory]
    [InlineData("small_numpy1_protocol2.pkl")]
    [InlineData("small_numpy1_protocol4.pkl")]
    [InlineData("small_numpy1_protocol5.pkl")]
    [InlineData("small_numpy2_protocol2.pkl")]
    [InlineData("small_numpy2_protocol4.pkl")]
    [InlineData("small_numpy2_protocol5.pkl")]
    public void ReadsNumpy1And2ClassNamesInProtocols2To5(string file)
    {
        var m = MatrixFiles.Read(PaperDataFiles.Generated(file), CancellationToken.None);

        Assert.Equal(["model-a", "model-b", "model-c"], m.ModelNames);
        // float64, float32 and big-endian float64 arrays as written by make_fixtures.py.
        Assert.Equal([-1.5, -2.25, -1000.125, -3.0, -0.5, -7.75, -10.0, -20.0, -30.0], m.Values.ToArray());
    }

    [Fact]
    public void FortranOrderedArraysComeBackInRowMajorOrder()
    {
        var array = Assert.IsType<NumpyArray>(RestrictedUnpickler.Load(PaperDataFiles.Generated("fortran_2x3.pkl")));
        Assert.True(array.FortranOrder);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], array.ToDoubles());
    }

    [Fact]
    public void Numpy2ModelDataWithOrderedDictScalarAndMicroseconds()
    {
        var record = Assert.Single(ModelDataFile.Read(PaperDataFiles.Generated("model_data_numpy2.pkl")));

        Assert.Equal("org/m", record.Name);
        Assert.Equal("llama-2", record.ModelType);
        Assert.Equal(6.5, record.SizeBillions);
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15).AddTicks(1234560), record.CreatedAt);
        Assert.Equal(12345L, record.Downloads);
        Assert.Equal([-1.25, -2.5], record.LogLikelihood);
        Assert.Null(record.Benchmarks["score_v1_ARC"]);
        Assert.Equal(55.5, record.Benchmarks["score_v1_MMLU"]);
    }

    [Theory]
    [InlineData("hostile_os_system_protocol2.pkl")] // GLOBAL 'posix system'
    [InlineData("hostile_os_system_protocol4.pkl")] // STACK_GLOBAL
    public void RefusesAGlobalOfOsSystem(string file)
    {
        var ex = Assert.Throws<UnsafePickleException>(() => MatrixFiles.Read(PaperDataFiles.Generated(file), CancellationToken.None));
        Assert.Contains("'posix.system'", ex.Message);
        Assert.Contains("refuses", ex.Message);
        Assert.Contains(file, ex.Message);
        Assert.False(File.Exists("/tmp/loglikemap-pwned"));
    }

    [Fact]
    public void RefusesAReduceOfAnUnknownClass()
    {
        var ex = Assert.Throws<UnsafePickleException>(() => RestrictedUnpickler.Load(PaperDataFiles.Generated("hostile_unknown_class.pkl")));
        Assert.Contains("'somepackage.evil.Payload'", ex.Message);
    }

    [Fact]
    public void RefusesAReduceOfSomethingThatIsNotAnAllowedClass()
    {
        var ex = Assert.Throws<UnsafePickleException>(() => RestrictedUnpickler.Load(PaperDataFiles.Generated("hostile_reduce_string.pkl")));
        Assert.Contains("REDUCE", ex.Message);
    }

    [Fact]
    public void RefusesTruncatedPickles()
    {
        var bytes = File.ReadAllBytes(PaperDataFiles.Generated("small_numpy1_protocol4.pkl"));
        var ex = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(bytes.AsMemory(0, bytes.Length / 2)));
        Assert.Contains("ends early", ex.Message);
    }

    [Fact]
    public void RefusesObjectArrays()
    {
        // protocol 2: numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') then BUILD with a list as data
        // (what numpy writes for dtype=object); the dtype 'O8' is refused first.
        byte[] pickle =
        [
            0x80, 2, .. "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK"u8, 0, 0x85, .. "C"u8, 1, .. "b"u8, 0x87,
            .. "R(K"u8, 1, .. "K"u8, 1, 0x85, .. "cnumpy\ndtype\nX"u8, 2, 0, 0, 0, .. "O8"u8, 0x89, 0x88, 0x87, .. "R"u8,
        ];
        var ex = Assert.Throws<UnsafePickleException>(() => RestrictedUnpickler.Load(pickle));
        Assert.Contains("'O8' is not a plain number type", ex.Message);
    }
}
