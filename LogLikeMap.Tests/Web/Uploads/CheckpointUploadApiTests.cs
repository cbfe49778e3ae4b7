using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Uploads;

/// <summary>Checkpoint zips that cannot be extracted: a 400 that says what is wrong, no job, nothing left on disk.</summary>
[Collection(WebAppCollection.Name)]
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
