using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Models;

/// <summary>
/// Checkpoints of the newer architectures, uploaded to the web app as zips, are scored on the map's texts and placed:
/// a mixture of experts (qwen2_moe, bfloat16), a sharded Phi-3 with LongRoPE, and GPT-J (its head's own bias,
/// interleaved rotary). The scores themselves are checked against the reference in the Architectures*Tests.
/// </summary>
public sealed class ArchitectureUploadTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Theory]
    [InlineData("qwen2-moe-bf16", "my-org/qwen2-moe-tiny", "qwen-moe")]
    [InlineData("phi3-longrope-sharded", "my-org/phi3-longrope-tiny", "phi")]
    [InlineData("gptj-partial-rotary", "my-org/gptj-tiny", "gptj")]
    public async Task A_checkpoint_zip_is_scored_and_placed_on_the_map(string fixture, string name, string family)
    {
        using var client = factory.CreateAdminClient();
        using var form = new MultipartFormDataContent();
        var zip = new ByteArrayContent(ZipFolder(Path.Combine(AppContext.BaseDirectory, "TestData", "architectures", fixture)));
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(zip, "file", fixture + ".zip");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent(family), "family");

        using var response = await client.PostAsync("/api/uploads/checkpoint", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var upload = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        // 300 texts of up to 1,000 tokens: seconds on a quiet box, about a minute and a half on a 2-core box under a
        // load of 45, where the one-worker queue can also start late.
        var finished = await JobPolling.UntilFinishedAsync(client, upload.JobId!, TimeSpan.FromMinutes(5));
        Assert.Equal(JobState.Succeeded, finished.State);
        var placed = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!.Single(m => m.Name == name);
        Assert.True(placed.Provisional);
        Assert.Equal(family, placed.Family);
        Assert.True(double.IsFinite(placed.X) && double.IsFinite(placed.Y));
        Assert.True(placed.MeanLogLikelihood < 0);
    }

    private static byte[] ZipFolder(string folder)
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.GetFiles(folder))
                archive.CreateEntryFromFile(file, Path.GetFileName(file));
        }
        return memory.ToArray();
    }
}
