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
