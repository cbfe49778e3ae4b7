using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Uploads;

/// <summary>Checkpoint zips that cannot be extracted: a 400 that says what is wrong, no job, nothing left on disk.</summary>
public sealed class CheckpointUploadApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task A_zip_with_damaged_compressed_data_is_refused_naming_the_entry_and_queues_nothing()
    {
        var zip = SafeZipExtractorTests.DamageFirstEntry(SafeZipExtractorTests.Zip(
            ("tiny/config.json", SafeZipExtractorTests.Text(2048), null), ("tiny/model.safetensors", SafeZipExtractorTests.Text(4096), null)));

        var problem = await RefusedAsync("me/damaged", zip);

        Assert.StartsWith("Zip entry 'tiny/config.json' could not be read: the archive is damaged", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Zip the checkpoint folder again", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_holding_one_entry_twice_is_refused_and_queues_nothing()
    {
        var zip = SafeZipExtractorTests.Zip(("config.json", "{}"u8.ToArray(), null), ("config.json", "{}"u8.ToArray(), null));

        var problem = await RefusedAsync("me/twice", zip);

        Assert.Equal("The zip holds 'config.json' twice; each file may appear once. Zip the checkpoint folder again (not by adding to an old zip).", problem.Detail);
    }

    [Fact]
    public async Task A_zip_of_many_small_zero_entries_is_refused_as_a_whole_before_anything_is_extracted()
    {
        // Each 1 MiB entry of zeros is at the per-entry ratio check's threshold, which spares it; together they expand
        // about 1000 times (the probe's 575 KB zip of 241 such entries put 241 MB on disk).
        var zip = SafeZipExtractorTests.Zip([.. Enumerable.Range(0, 64).Select(i => ($"tiny/shard-{i}.bin", new byte[1 << 20], (int?)null))]);
        Assert.True(zip.Length < 1 << 20);

        var problem = await RefusedAsync("me/small-bombs", zip);

        Assert.StartsWith("The zip's files expand ", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("(67,108,864 bytes from ", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("it looks like a zip bomb", problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>Uploads the zip, expects a 400 without server paths, and checks that no job and no upload folder came of it.</summary>
    private async Task<ProblemDetails> RefusedAsync(string name, byte[] zip)
    {
        using var client = factory.CreateAdminClient();
        var uploads = Path.Combine(factory.DataFolder, "uploads");
        var foldersBefore = Directory.Exists(uploads) ? Directory.GetFileSystemEntries(uploads).Length : 0;

        using var response = await UploadZipAsync(client, name, zip);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Equal("Upload refused", problem.Title);
        Assert.DoesNotContain(factory.DataFolder, problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Services.GetRequiredService<IJobMonitor>().Recent(int.MaxValue), j => j.ModelName == name);
        Assert.Equal(foldersBefore, Directory.Exists(uploads) ? Directory.GetFileSystemEntries(uploads).Length : 0);
        return problem;
    }

    internal static async Task<HttpResponseMessage> UploadZipAsync(HttpClient client, string name, byte[] zip)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(file, "file", "checkpoint.zip");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent("gpt2"), "family");
        return await client.PostAsync("/api/uploads/checkpoint", form);
    }
}
