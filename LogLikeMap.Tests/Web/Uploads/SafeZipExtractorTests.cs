using System.IO.Compression;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Tests.Web.Uploads;

public sealed class SafeZipExtractorTests : IDisposable
{
    private readonly string _target = Path.Combine(Directory.CreateTempSubdirectory("loglikemap-zip-").FullName, "checkpoint");

    [Theory]
    [InlineData("../config.json")]
    [InlineData("model/../../evil.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows/evil.dll")]
    [InlineData("..\\evil.txt")]
    public async Task Entries_that_leave_the_folder_are_refused(string entryName)
    {
        var zip = Zip((entryName, "x"u8.ToArray(), null));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions()));

        Assert.Contains(entryName, error.Message, StringComparison.Ordinal);
        Assert.Contains("absolute path or '..'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_target));
    }

    [Fact]
    public async Task A_symbolic_link_entry_is_refused()
    {
        // Info-ZIP stores the Unix mode in the high 16 bits: S_IFLNK (0xA000) | 0777.
        var zip = Zip(("config.json", "{}"u8.ToArray(), null), ("weights", "/etc/shadow"u8.ToArray(), 0xA1FF << 16));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions()));

        Assert.Contains("'weights' is a symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_over_the_size_limit_is_refused()
    {
        var zip = Zip(("model.safetensors", new byte[5000], null));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions { MaxEntryBytes = 4096 }));

        Assert.Contains("5,000 bytes; the limit per file is 4,096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_entries_are_refused()
    {
        var zip = Zip([.. Enumerable.Range(0, 5).Select(i => ($"f{i}.txt", "x"u8.ToArray(), (int?)null))]);

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions { MaxEntries = 4 }));

        Assert.Contains("5 entries; at most 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_bomb_is_refused_by_its_compression_ratio()
    {
        // 64 MiB of zeros deflate to about 64 KiB: a ratio near 1000.
        var zip = Zip(("model.safetensors", new byte[64 << 20], null));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions()));

        Assert.Contains("zip bomb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Something_that_is_not_a_zip_is_refused()
    {
        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract("not a zip at all"u8.ToArray(), new UploadOptions()));

        Assert.Contains("not a readable zip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_with_damaged_compressed_data_is_refused_by_name_and_nothing_stays_on_disk()
    {
        var zip = DamageFirstEntry(Zip(("config.json", "{}"u8.ToArray(), null), ("model.safetensors", Text(4096), null)));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions()));

        Assert.Equal(
            "Zip entry 'config.json' could not be read: the archive is damaged or uses a compression method other than deflate. Zip the checkpoint folder again and upload the new file.",
            error.Message);
        Assert.False(Directory.Exists(_target));
    }

    [Theory]
    [InlineData("config.json", "config.json", "'config.json' twice")]
    [InlineData("gpt2/config.json", "./gpt2//config.json", "'gpt2/config.json' and './gpt2//config.json', which name the same file")]
    [InlineData("config.json", "CONFIG.JSON", "'config.json' and 'CONFIG.JSON', which name the same file")]
    public async Task An_entry_named_twice_is_refused_before_anything_is_written(string first, string second, string named)
    {
        var zip = Zip((first, "{}"u8.ToArray(), null), (second, "{\"n\": 1}"u8.ToArray(), null));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions()));

        Assert.Equal($"The zip holds {named}; each file may appear once. Zip the checkpoint folder again (not by adding to an old zip).", error.Message);
        Assert.False(Directory.Exists(_target));
    }

    [Fact]
    public async Task A_file_and_a_folder_of_one_name_are_refused_and_nothing_stays_on_disk()
    {
        var zip = Zip(("tokenizer", "t"u8.ToArray(), null), ("tokenizer/vocab.json", "{}"u8.ToArray(), null));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Extract(zip, new UploadOptions()));

        Assert.Contains("'tokenizer/vocab.json' collides with another entry", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_target, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_target));
    }

    [Fact]
    public async Task A_zipped_folder_is_extracted_from_inside_its_top_folder()
    {
        var zip = Zip(("gpt2-tiny/config.json", "{}"u8.ToArray(), null), ("gpt2-tiny/vocab/merges.txt", "m"u8.ToArray(), null));

        await Extract(zip, new UploadOptions());

        Assert.Equal("{}", File.ReadAllText(Path.Combine(_target, "config.json")));
        Assert.Equal("m", File.ReadAllText(Path.Combine(_target, "vocab", "merges.txt")));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_target)!, recursive: true);

    private async Task Extract(byte[] zip, UploadOptions options)
    {
        using var stream = new MemoryStream(zip);
        await new SafeZipExtractor(options).ExtractAsync(stream, _target, CancellationToken.None);
    }

    /// <summary>Compressible text (deflate leaves it much shorter) of the given length.</summary>
    internal static byte[] Text(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 7)))];

    /// <summary>
    /// The zip with the first byte of its first entry's deflate data set to 0xFF: BFINAL 1 and BTYPE 11, a block type
    /// RFC 1951 (3.2.3) reserves as an error, so no reader can inflate it. The entry's data follows its local header:
    /// 30 bytes, then the name and the extra field, whose lengths are at offsets 26 and 28 (APPNOTE 4.3.7).
    /// </summary>
    internal static byte[] DamageFirstEntry(byte[] zip)
    {
        var damaged = zip.ToArray();
        var dataStart = 30 + BitConverter.ToUInt16(damaged, 26) + BitConverter.ToUInt16(damaged, 28);
        damaged[dataStart] = 0xFF;
        return damaged;
    }

    internal static byte[] Zip(params (string Name, byte[] Content, int? ExternalAttributes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, attributes) in entries)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                if (attributes is { } value)
                    entry.ExternalAttributes = value;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }
}
