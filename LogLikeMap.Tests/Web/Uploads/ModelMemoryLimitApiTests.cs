using System.Net;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Uploads;

/// <summary>The app with a scoring worker limited to 1 MB (Jobs:MaxModelBytes).</summary>
public sealed class SmallWorkerApp : IDisposable
{
    public WebAppFactory App { get; } = WebAppFactory.With(new Dictionary<string, string> { ["Jobs:MaxModelBytes"] = "1000000" });

    public void Dispose() => App.Dispose();
}

/// <summary>A checkpoint whose model would not fit the scoring worker is refused at upload, saying both numbers.</summary>
public sealed class ModelMemoryLimitApiTests(SmallWorkerApp worker) : IClassFixture<SmallWorkerApp>
{
    [Fact]
    public async Task A_model_larger_than_the_worker_limit_is_refused_saying_both_sizes()
    {
        using var client = worker.App.CreateAdminClient();
        var zip = TinyCheckpointZip();

        using var response = await CheckpointUploadApiTests.UploadZipAsync(client, "big/for-this-worker", zip);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        // The tiny GPT-2 has 1,699,232 parameters (ModelShapeCheckTests works it out): 6,796,928 bytes in float32, plus
        // its float16 embedding (50,257 x 32 x 2 = 3,216,448 bytes) staged while loading, 10.0 MB in all.
        Assert.Equal(
            "The model needs about 10.0 MB to be scored in float32 (1,699,232 parameters, plus 3.2 MB to read its largest tensor), " +
            "but this server's scoring worker may use 1.0 MB (Jobs:MaxModelBytes). An administrator can score in bfloat16 " +
            "(Jobs:ScoringPrecision, half the memory) or raise the limit on a larger worker; or score it elsewhere with " +
            "`loglikemap score` and upload the results file.", problem.Detail);
        Assert.DoesNotContain(worker.App.Services.GetRequiredService<IJobMonitor>().Recent(int.MaxValue), j => j.ModelName == "big/for-this-worker");
        var uploads = Path.Combine(worker.App.DataFolder, "uploads");
        Assert.True(!Directory.Exists(uploads) || Directory.GetFileSystemEntries(uploads).Length == 0);
    }

    private static byte[] TinyCheckpointZip()
    {
        using var zip = new MemoryStream();
        System.IO.Compression.ZipFile.CreateFromDirectory(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny"), zip);
        return zip.ToArray();
    }
}
