using System.Net;
using System.Net.Http.Json;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Formats;
using LogLikeMap.Tests.Web.Api;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Uploads;

/// <summary>The server refuses the names the upload page refuses, and any name on the map can be named in a URL.</summary>
public sealed class UploadNamesApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Theory]
    [InlineData("a%41 b?#<x>", "mistral", "Use letters, digits, '-', '_' and '.', with at most one '/' between an owner and a name.")]
    [InlineData("org/.hidden", "mistral", "Start the name, and the part after '/', with a letter or digit.")]
    [InlineData("a/b/c", "mistral", "Use letters, digits, '-', '_' and '.', with at most one '/' between an owner and a name.")]
    [InlineData("fine-name", "two\nlines", "The family holds a control character (a line break or tab); give it on one line.")]
    [InlineData("fine-name", "llama\u202Egnp.exe", "The family holds an invisible formatting character (a text-direction mark or a zero-width character); type it again without pasting.")]
    [InlineData("fine-name", "mis\u200Btral", "The family holds an invisible formatting character (a text-direction mark or a zero-width character); type it again without pasting.")]
    [InlineData("fine-name", "\u2066gpt2\u2069", "The family holds an invisible formatting character (a text-direction mark or a zero-width character); type it again without pasting.")]
    public async Task A_name_the_page_would_refuse_is_refused_over_the_api_naming_the_rule(string name, string family, string rule)
    {
        using var client = factory.CreateAdminClient();

        using var response = await UploadResultsAsync(client, name, family);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(rule, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.DoesNotContain(factory.Services.GetRequiredService<IJobMonitor>().Recent(int.MaxValue), j => j.ModelName == name.Trim());
    }

    [Fact]
    public async Task A_name_holding_percent_signs_spaces_and_a_slash_round_trips_through_get_and_delete()
    {
        // Uploads cannot give such a name, but models imported from elsewhere (the command line, the paper's files) can.
        const string Name = "org/a%41 b?#<x>";
        await factory.Services.GetRequiredService<MapMaintenance>()
            .PlaceAsync(new ModelMetadata(Name) { Family = "mistral" }, DemoScores("AIJUUD/juud-Mistral-7B"), "bfloat16", CancellationToken.None);
        using var client = factory.CreateAdminClient();
        var path = "/api/models/" + Uri.EscapeDataString(Name);
        Assert.Equal("/api/models/org%2Fa%2541%20b%3F%23%3Cx%3E", path);

        var model = await client.GetFromJsonAsync<ModelPoint>(path);
        using var neighbours = await client.GetAsync(path + "/neighbours?k=3");
        using var deleted = await client.DeleteAsync(path);
        using var gone = await client.GetAsync(path);

        Assert.Equal(Name, model!.Name);
        Assert.Equal(HttpStatusCode.OK, neighbours.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain((await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!, m => m.Name == Name);
    }

    [Fact]
    public async Task A_lower_case_escaped_slash_names_the_model_too()
    {
        using var client = factory.CreateClient();

        var model = await client.GetFromJsonAsync<ModelPoint>("/api/models/AIJUUD%2fjuud-Mistral-7B");

        Assert.Equal("AIJUUD/juud-Mistral-7B", model!.Name);
    }

    private static IReadOnlyList<TextScore> DemoScores(string model) =>
        ResultsFile.Read(Path.Combine(WebAppFactory.DemoMapFolder, "results", model.Replace("/", "__", StringComparison.Ordinal) + ".jsonl"), CancellationToken.None);

    private static async Task<HttpResponseMessage> UploadResultsAsync(HttpClient client, string name, string family)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent("{}\n"u8.ToArray()), "file", "results.jsonl");
        form.Add(new StringContent(name), "name");
        form.Add(new StringContent(family), "family");
        return await client.PostAsync("/api/uploads/results", form);
    }
}
