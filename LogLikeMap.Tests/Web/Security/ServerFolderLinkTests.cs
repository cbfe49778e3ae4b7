using System.Net;
using System.Net.Http.Json;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Tests.Web.Jobs;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogLikeMap.Tests.Web.Security;

/// <summary>
/// Server folders whose files are symbolic links to files outside Uploads:AllowedServerRoot, made for real on disk: a
/// config.json holding a secret that an error message would quote, and weights. They are refused when the folder is
/// named and when its job reads it; the outside file's content appears in no answer.
/// </summary>
public sealed class ServerFolderLinkTests : IDisposable
{
    /// <summary>An outside "config.json" whose model_type an unsupported-architecture message would repeat.</summary>
    private const string Secret = "SECRET-d41d8cd98f00b204";

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("loglikemap-links-");
    private readonly WebAppFactory _app = new();
    private readonly WebApplicationFactory<Program> _withRoot;

    public ServerFolderLinkTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "config.json"), $"{{\"model_type\": \"{Secret}\", \"n_layer\": 2}}");
        _withRoot = _app.WithWebHostBuilder(b => b.UseSetting("Uploads:AllowedServerRoot", Root));
    }

    private string Root => Path.Combine(_scratch.FullName, "root");

    private string Outside => Path.Combine(_scratch.FullName, "outside");

    public void Dispose()
    {
        _withRoot.Dispose();
        _app.Dispose();
        _scratch.Delete(recursive: true);
    }

    [Fact]
    public async Task A_config_json_linked_to_a_file_outside_the_root_is_refused_without_its_content()
    {
        var folder = Checkpoint("linked-config");
        Relink(Path.Combine(folder, "config.json"), Path.Combine(Outside, "config.json"));

        var problem = await RefusedAsync("linked-config");

        Assert.Equal("'config.json' in 'linked-config' is a link to a file outside the allowed folder " + Root + "; copy the real file into the checkpoint folder instead.", problem.Detail);
        Assert.DoesNotContain(Secret, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weights_linked_outside_through_a_chain_of_links_and_a_linked_folder_are_refused()
    {
        var folder = Checkpoint("linked-weights");
        // model.safetensors -> root/hop (a link inside the root) -> root/elsewhere/model.safetensors, where root/elsewhere
        // is a link to the outside folder: only resolving every level finds that it ends outside.
        File.Copy(Path.Combine(folder, "model.safetensors"), Path.Combine(Outside, "model.safetensors"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "elsewhere"), Outside);
        File.CreateSymbolicLink(Path.Combine(Root, "hop"), Path.Combine(Root, "elsewhere", "model.safetensors"));
        Relink(Path.Combine(folder, "model.safetensors"), Path.Combine(Root, "hop"));

        var problem = await RefusedAsync("linked-weights");

        Assert.StartsWith("'model.safetensors' in 'linked-weights' is a link to a file outside the allowed folder", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_to_a_file_inside_the_root_is_followed()
    {
        var shared = Checkpoint("shared");
        var folder = Checkpoint("linked-inside");
        Relink(Path.Combine(folder, "vocab.json"), Path.Combine(shared, "vocab.json"));
        using var client = _withRoot.CreateAdminClient();
        using var blocked = await ScoringQueueBlocker.HoldAsync(_withRoot.Services);

        using var response = await client.PostAsJsonAsync("/api/uploads/folder", new { folder = "linked-inside", name = "links/inside", family = "gpt2" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task A_config_json_swapped_for_an_outside_link_after_the_folder_was_accepted_fails_its_job_without_its_content()
    {
        var folder = Checkpoint("swapped");
        using var client = _withRoot.CreateAdminClient();
        string jobId;
        using (var blocked = await ScoringQueueBlocker.HoldAsync(_withRoot.Services))
        {
            using var response = await client.PostAsJsonAsync("/api/uploads/folder", new { folder = "swapped", name = "links/swapped", family = "gpt2" });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            jobId = (await response.Content.ReadFromJsonAsync<UploadResult>())!.JobId!;
            Relink(Path.Combine(folder, "config.json"), Path.Combine(Outside, "config.json"));
        }

        var finished = await JobPolling.UntilFinishedAsync(client, jobId);

        Assert.Equal(JobState.Failed, finished.State);
        Assert.Equal("'config.json' in 'swapped' is a link to a file outside the allowed folder root; copy the real file into the checkpoint folder instead.", finished.Error);
        var models = await client.GetStringAsync("/api/models");
        Assert.DoesNotContain("links/swapped", models, StringComparison.Ordinal);
    }

    private async Task<ProblemDetails> RefusedAsync(string folder)
    {
        using var client = _withRoot.CreateAdminClient();
        using var response = await client.PostAsJsonAsync("/api/uploads/folder", new { folder, name = "links/" + folder, family = "gpt2" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        return System.Text.Json.JsonSerializer.Deserialize<ProblemDetails>(text, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
    }

    /// <summary>A copy of the scoring tests' tiny GPT-2 checkpoint under the root.</summary>
    private string Checkpoint(string name)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "scoring", "gpt2-tiny")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    private static void Relink(string path, string target)
    {
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
    }
}
