using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Uploads;

/// <summary>The app with server folders allowed under a scratch root, for checkpoints too large to zip in a test.</summary>
public sealed class ServerFolderApp : IDisposable
{
    public ServerFolderApp() =>
        App = WebAppFactory.With(new Dictionary<string, string> { ["Uploads:AllowedServerRoot"] = Root });

    public string Root { get; } = Directory.CreateTempSubdirectory("loglikemap-server-root-").FullName;

    public WebAppFactory App { get; }

    public void Dispose()
    {
        App.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// Uploads a careless or hostile user could send past the zip and safetensors checks: configs that disagree with their
/// weights are refused at upload (400, no job, nothing left), numerically broken models fail their job in words and
/// place nothing, results that cannot be log-likelihoods are refused naming the line, and a large failed job gives its
/// memory back.
/// </summary>
[Collection(MemoryMeasuringCollection.Name)]
public sealed class BrokenUploadApiTests(ServerFolderApp server) : IClassFixture<ServerFolderApp>
{
    private static readonly string TinyGpt2 = Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny");

    private const string Base = "AIJUUD/juud-Mistral-7B";

    /// <summary>Scoring runs on a one-worker queue; on a loaded 2-core box libtorch's first start alone takes seconds.</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    private WebAppFactory Factory => server.App;

    [Fact]
    public async Task A_config_asking_for_a_billion_word_vocabulary_is_refused_at_upload_naming_field_value_and_tensor()
    {
        var zip = ZipFolder(TinyGpt2, config => config["vocab_size"] = 1_000_000_000);

        var problem = await RefusedAsync("hostile/huge-vocabulary", zip);

        Assert.Equal(
            "config.json (gpt2): 'vocab_size' is 1000000000, so the tensor 'transformer.wte.weight' should have shape [1000000000, 32], " +
            "but the weights store it as [50257, 32]. The config.json does not belong to these weights: upload the config.json saved with them.",
            problem.Detail);
    }

    [Fact]
    public async Task A_config_asking_for_a_million_layers_is_refused_at_upload()
    {
        var zip = ZipFolder(TinyGpt2, config => config["n_layer"] = 1_000_000);

        var problem = await RefusedAsync("hostile/million-layers", zip);

        Assert.Equal(
            "config.json (gpt2): 'n_layer' is 1000000, but the highest block number in the tensor names is 1 (tensor " +
            "'transformer.h.1.attn.c_attn.bias'). The config.json does not belong to these weights: upload the config.json saved with them.",
            problem.Detail);
    }

    [Fact]
    public async Task A_broken_config_is_named_relative_to_the_checkpoint()
    {
        var zip = ZipFolder(TinyGpt2, edit: null, files: name => name == "config.json" ? "{\"model_type\": \"gpt2\","u8.ToArray() : null);

        var problem = await RefusedAsync("broken/config", zip);

        Assert.StartsWith("config.json is not valid JSON (", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_with_NaN_weights_fails_its_job_naming_text_dtype_and_tensor_and_places_nothing()
    {
        using var client = Factory.CreateAdminClient();
        var zip = ZipFolder(TinyGpt2, edit: null, weights: bytes => SetFirstValue(bytes, "transformer.ln_f.weight", Half.NaN));

        var failed = await FailedJobAsync(client, "broken/nan-weights", zip);

        Assert.Matches(@"^Text \d+ \(\d+ tokens\) got a log-likelihood of NaN in float32, and \d+ more text\(s\) of the same batch did too\. ", failed.Error);
        Assert.EndsWith(
            "The checkpoint's tensor 'transformer.ln_f.weight' holds NaN or infinite values, so no dtype can score it: the model is " +
            "numerically broken. Check the training run that saved it, or upload an earlier checkpoint.", failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("frame #", failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Factory.DataFolder, failed.Error, StringComparison.Ordinal);
        var models = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
        Assert.DoesNotContain(models, m => m.Name == "broken/nan-weights");
    }

    [Fact]
    public async Task A_large_failing_job_gives_its_memory_back()
    {
        using var client = Factory.CreateAdminClient();
        // Warm-up: libtorch's first use (thread pools, allocator caches) is not the job's to give back.
        await FailedJobAsync(client, "broken/warm-up", ZipFolder(TinyGpt2, edit: null, weights: bytes => SetFirstValue(bytes, "transformer.ln_f.weight", Half.NaN)));
        var folder = WriteLargeBrokenCheckpoint(Path.Combine(server.Root, "large-broken"));
        var before = ResidentBytes();
        ResetPeakResidentBytes();

        using var response = await client.PostAsJsonAsync("/api/uploads/folder", new { folder = "large-broken", name = "broken/large", family = "gpt2" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var upload = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        var failed = await JobPolling.UntilFinishedAsync(client, upload.JobId!, JobTimeout);
        var after = ResidentBytes();
        var peak = PeakResidentBytes();

        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("'transformer.ln_f.weight' holds NaN", failed.Error, StringComparison.Ordinal);
        // The job held the 206 MB float32 model and its 103 MB staged embedding; all of it is given back.
        Assert.True(peak - before > 250_000_000, $"The job peaked only {(peak - before) / 1e6:F0} MB above the start; it did not load the model.");
        Assert.True(after - before < 100_000_000, $"The process holds {(after - before) / 1e6:F0} MB more after the failed job than before it.");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_positive_log_likelihood_is_refused_naming_the_line()
    {
        var lines = ResultsLines(Base);
        var index = lines[7].Index;
        lines[7] = lines[7] with { LogLikelihood = 3.5 };

        var problem = await ResultsRefusedAsync("impossible/positive", lines);

        Assert.Equal(
            $"The results file, line 8: text {index} has log-likelihood 3.5, but a log-likelihood is a sum of log-probabilities and " +
            "never positive. Upload the sum of log p(token) in nats (natural log), not a loss or a probability.", problem.Detail);
    }

    [Fact]
    public async Task A_non_zero_log_likelihood_for_zero_tokens_is_refused_naming_the_line()
    {
        var lines = ResultsLines(Base);
        var (index, logLikelihood) = (lines[2].Index, lines[2].LogLikelihood);
        lines[2] = lines[2] with { Tokens = 0 };

        var problem = await ResultsRefusedAsync("impossible/zero-tokens", lines);

        Assert.Equal(
            $"The results file, line 3: text {index} has 0 token(s) and log-likelihood {logLikelihood.ToString("R", CultureInfo.InvariantCulture)}, " +
            "but the first token is never scored, so a text of 0 or 1 tokens has log-likelihood 0. Check that num-tokens counts the text's tokens.",
            problem.Detail);
    }

    [Fact]
    public async Task A_log_likelihood_orders_of_magnitude_below_the_clip_threshold_is_refused_naming_the_line()
    {
        var lines = ResultsLines(Base);
        var index = lines[11].Index;
        lines[11] = lines[11] with { LogLikelihood = -1e12 };

        var problem = await ResultsRefusedAsync("impossible/far-below", lines);

        Assert.StartsWith($"The results file, line 12: text {index} has log-likelihood -1000000000000, more than 100 times the map's clip threshold (", problem.Detail, StringComparison.Ordinal);
        Assert.EndsWith(
            "below which the map clips every value). It cannot be one model's log-likelihood of this text in nats: check the unit " +
            "(natural log, summed over tokens) and that the file scores these texts.", problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>Uploads the zip, expects a 400 without server paths, and checks that no job and no upload folder came of it.</summary>
    private async Task<ProblemDetails> RefusedAsync(string name, byte[] zip)
    {
        using var client = Factory.CreateAdminClient();
        var before = UploadEntries();

        using var response = await CheckpointUploadApiTests.UploadZipAsync(client, name, zip);

        return await AssertRefusedAsync(response, name, before);
    }

    private async Task<ProblemDetails> ResultsRefusedAsync(string name, IEnumerable<(long Index, int Tokens, double LogLikelihood)> lines)
    {
        using var client = Factory.CreateAdminClient();
        var before = UploadEntries();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{{\"index\": {l.Index}, \"num-tokens\": {l.Tokens}, \"log-likelihood\": {l.LogLikelihood:R}}}\n")))));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "results.jsonl");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent("mistral"), "family");

        using var response = await client.PostAsync("/api/uploads/results", form);

        return await AssertRefusedAsync(response, name, before);
    }

    private async Task<ProblemDetails> AssertRefusedAsync(HttpResponseMessage response, string name, int uploadEntriesBefore)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Equal("Upload refused", problem.Title);
        Assert.DoesNotContain(Factory.DataFolder, problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Factory.Services.GetRequiredService<IJobMonitor>().Recent(int.MaxValue), j => j.ModelName == name);
        Assert.Equal(uploadEntriesBefore, UploadEntries());
        return problem;
    }

    private int UploadEntries()
    {
        var uploads = Path.Combine(Factory.DataFolder, "uploads");
        return Directory.Exists(uploads) ? Directory.GetFileSystemEntries(uploads).Length : 0;
    }

    /// <summary>Uploads the zip, expects it queued, and waits for its job to fail.</summary>
    private static async Task<JobStatus> FailedJobAsync(HttpClient client, string name, byte[] zip)
    {
        using var response = await CheckpointUploadApiTests.UploadZipAsync(client, name, zip);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var upload = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        var finished = await JobPolling.UntilFinishedAsync(client, upload.JobId!, JobTimeout);
        Assert.Equal(JobState.Failed, finished.State);
        Assert.NotNull(finished.Error);
        return finished;
    }

    /// <summary>A checkpoint folder zipped as a user would, its config.json and weights optionally edited.</summary>
    internal static byte[] ZipFolder(string folder, Action<JsonObject>? edit, Func<byte[], byte[]>? weights = null, Func<string, byte[]?>? files = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.GetFiles(folder))
            {
                var bytes = files?.Invoke(Path.GetFileName(file)) ?? File.ReadAllBytes(file);
                if (Path.GetFileName(file) == "config.json" && edit is not null)
                {
                    var config = JsonNode.Parse(bytes)!.AsObject();
                    edit(config);
                    bytes = Encoding.UTF8.GetBytes(config.ToJsonString());
                }
                else if (Path.GetFileName(file) == "model.safetensors" && weights is not null)
                {
                    bytes = weights(bytes);
                }
                using var entry = zip.CreateEntry(Path.GetFileName(file)).Open();
                entry.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Overwrites the first element of an F16 tensor in safetensors bytes, found through the header's offsets.</summary>
    internal static byte[] SetFirstValue(byte[] safetensors, string tensor, Half value)
    {
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(safetensors);
        var header = JsonNode.Parse(safetensors.AsSpan(8, headerLength))!.AsObject();
        Assert.Equal("F16", header[tensor]!["dtype"]!.GetValue<string>());
        var start = header[tensor]!["data_offsets"]![0]!.GetValue<long>();
        var copy = (byte[])safetensors.Clone();
        BinaryPrimitives.WriteHalfLittleEndian(copy.AsSpan(8 + headerLength + (int)start), value);
        return copy;
    }

    /// <summary>
    /// A GPT-2 of 51.5 million parameters (a 50,257 x 1,024 embedding, 206 MB in float32, stored as 103 MB of float16
    /// zeros) with a NaN final LayerNorm gain, the tiny GPT-2's tokenizer, and 2 positions so that its one batch is quick.
    /// </summary>
    private static string WriteLargeBrokenCheckpoint(string folder)
    {
        const int vocabulary = 50257, width = 1024, positions = 2;
        Directory.CreateDirectory(folder);
        foreach (var tokenizerFile in new[] { "vocab.json", "merges.txt" })
            File.Copy(Path.Combine(TinyGpt2, tokenizerFile), Path.Combine(folder, tokenizerFile));
        File.WriteAllText(Path.Combine(folder, "config.json"), new JsonObject
        {
            ["model_type"] = "gpt2", ["vocab_size"] = vocabulary, ["n_embd"] = width, ["n_layer"] = 1, ["n_head"] = 4,
            ["n_inner"] = width, ["n_positions"] = positions, ["bos_token_id"] = 50256, ["eos_token_id"] = 50256,
        }.ToJsonString());

        var tensors = new List<(string Name, long[] Shape)>
        {
            ("transformer.wte.weight", [vocabulary, width]), ("transformer.wpe.weight", [positions, width]),
            ("transformer.h.0.ln_1.weight", [width]), ("transformer.h.0.ln_1.bias", [width]),
            ("transformer.h.0.attn.c_attn.weight", [width, 3 * width]), ("transformer.h.0.attn.c_attn.bias", [3 * width]),
            ("transformer.h.0.attn.c_proj.weight", [width, width]), ("transformer.h.0.attn.c_proj.bias", [width]),
            ("transformer.h.0.ln_2.weight", [width]), ("transformer.h.0.ln_2.bias", [width]),
            ("transformer.h.0.mlp.c_fc.weight", [width, width]), ("transformer.h.0.mlp.c_fc.bias", [width]),
            ("transformer.h.0.mlp.c_proj.weight", [width, width]), ("transformer.h.0.mlp.c_proj.bias", [width]),
            ("transformer.ln_f.weight", [width]), ("transformer.ln_f.bias", [width]),
        };
        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            var bytes = 2 * shape.Aggregate(1L, (a, b) => a * b);
            header[name] = new JsonObject
            {
                ["dtype"] = "F16", ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var stream = File.Create(Path.Combine(folder, "model.safetensors"));
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        stream.Write(length);
        stream.Write(headerBytes);
        var zeros = new byte[1 << 20];
        foreach (var (name, shape) in tensors)
        {
            var bytes = 2 * shape.Aggregate(1L, (a, b) => a * b);
            if (name == "transformer.ln_f.weight")
            {
                var gain = new byte[bytes];
                for (var i = 0; i < bytes; i += 2)
                    BinaryPrimitives.WriteHalfLittleEndian(gain.AsSpan(i), Half.NaN);
                stream.Write(gain);
                continue;
            }
            for (long written = 0; written < bytes; written += zeros.Length)
                stream.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
        }
        return folder;
    }

    /// <summary>A demo model's results lines as stored in TestData (the paper's format).</summary>
    private static List<(long Index, int Tokens, double LogLikelihood)> ResultsLines(string model) =>
        File.ReadLines(Path.Combine(WebAppFactory.DemoMapFolder, "results", model.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(r => (r.GetProperty("index").GetInt64(), r.GetProperty("num-tokens").GetInt32(), r.GetProperty("log-likelihood").GetDouble()))
            .ToList();

    /// <summary>The process's resident memory after a full collection (managed garbage is not a leak).</summary>
    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return StatusField("VmRSS");
    }

    /// <summary>Linux keeps the peak resident size (VmHWM) until "5" is written to /proc/self/clear_refs (proc(5)).</summary>
    private static void ResetPeakResidentBytes() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long PeakResidentBytes() => StatusField("VmHWM");

    /// <summary>A "kB" field of /proc/self/status in bytes.</summary>
    private static long StatusField(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return 1024 * long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Runs alone, after the parallel collections: <see cref="BrokenUploadApiTests"/> measures the whole test process's
/// resident memory around one job, and tests running beside it (the built-in map's apps, the zoo's scorers) moved it
/// by hundreds of MB (seen: "241 MB more after the failed job").
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "Web app, measuring memory";
}
