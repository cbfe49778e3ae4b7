using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LogLikeMap.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace LogLikeMap.Tests.Web.Api;

public sealed class TextsApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static readonly DemoMapOracle Oracle = new();

    /// <summary>The demo map's texts as its texts.jsonl gives them: index, domain (pile_set_name), UTF-8 length.</summary>
    private static readonly List<(long Index, string Domain, int Bytes)> TextsFile = [.. File
        .ReadLines(Path.Combine(WebAppFactory.DemoMapFolder, "texts.jsonl"))
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Select(t => (t.GetProperty("index").GetInt64(), t.GetProperty("pile_set_name").GetString()!, Encoding.UTF8.GetByteCount(t.GetProperty("text").GetString()!)))];

    /// <summary>Highest variance first, ties by index, as the page and the API promise.</summary>
    private static List<long> ExpectedOrder(string? domain)
    {
        var variances = Oracle.TextVariances();
        return [.. TextsFile.Where(t => domain is null || t.Domain == domain)
            .OrderByDescending(t => variances[t.Index]).ThenBy(t => t.Index).Select(t => t.Index)];
    }

    [Fact]
    public async Task Texts_come_highest_variance_first_with_the_closed_form_variances()
    {
        using var client = factory.CreateClient();
        var response = await client.GetFromJsonAsync<TextsResponse>("/api/texts?take=1000");

        Assert.NotNull(response);
        Assert.Equal(TextsFile.Count, response.TextCount);
        Assert.Equal(Oracle.ModelNames.Count, response.ModelCount);
        Assert.Equal(TextsFile.Count, response.Total);
        Assert.Matches("^[0-9a-f]{64}$", response.ContentHash);
        Assert.Equal(
            TextsFile.GroupBy(t => t.Domain).Select(g => (g.Key, g.Count())).OrderByDescending(d => d.Item2),
            response.Domains.Select(d => (d.Domain!, d.Texts)));
        Assert.Equal(ExpectedOrder(null), response.Texts.Select(t => t.Index));
        var variances = Oracle.TextVariances();
        var file = TextsFile.ToDictionary(t => t.Index);
        Assert.All(response.Texts, t =>
        {
            Assert.Equal(variances[t.Index], t.Variance, variances[t.Index] * 1e-9);
            Assert.Equal(file[t.Index].Domain, t.Domain);
            Assert.Equal(file[t.Index].Bytes, t.ByteLength);
            Assert.InRange(t.Preview.Length, 1, 120);
        });
    }

    [Fact]
    public async Task A_domain_and_paging_give_that_domains_rows_in_the_same_order()
    {
        using var client = factory.CreateClient();
        var response = await client.GetFromJsonAsync<TextsResponse>("/api/texts?domain=Novel&skip=5&take=10");

        Assert.NotNull(response);
        Assert.Equal("Novel", response.Domain);
        Assert.Equal(TextsFile.Count(t => t.Domain == "Novel"), response.Total);
        Assert.Equal(5, response.Skip);
        Assert.Equal(ExpectedOrder("Novel").Skip(5).Take(10), response.Texts.Select(t => t.Index));
    }

    [Theory]
    [InlineData("/api/texts?take=0", "take must be between 1 and 1000; got 0")]
    [InlineData("/api/texts?skip=-1", "skip must be 0 or more; got -1")]
    [InlineData("/api/texts?domain=Poetry", "No text of the map is in domain 'Poetry'. The domains are: 'Speeches', 'Email', 'Novel'.")]
    public async Task Bad_queries_answer_problem_details_that_say_what_to_change(string url, string detail)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains(detail, problem?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_texts_endpoint()
    {
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var texts = document.RootElement.GetProperty("paths").GetProperty("/api/texts").GetProperty("get");
        Assert.Equal(["domain", "skip", "take"], texts.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task After_a_model_is_deleted_the_variances_are_taken_over_the_models_left()
    {
        // An app of its own: the shared one keeps all 40 models for the other tests.
        using var app = new WebAppFactory();
        using var client = app.CreateAdminClient();
        const string deleted = "AIJUUD/juud-Mistral-7B";
        var before = await client.GetFromJsonAsync<TextsResponse>("/api/texts?take=1");

        using var deletion = await client.DeleteAsync("/api/models/" + Uri.EscapeDataString(deleted));
        var after = await client.GetFromJsonAsync<TextsResponse>("/api/texts?take=1000");

        Assert.Equal(HttpStatusCode.NoContent, deletion.StatusCode);
        Assert.Equal(Oracle.ModelNames.Count, before?.ModelCount);
        Assert.NotNull(after);
        Assert.Equal(Oracle.ModelNames.Count - 1, after.ModelCount);
        var variances = Oracle.TextVariances(without: deleted);
        Assert.All(after.Texts, t => Assert.Equal(variances[t.Index], t.Variance, variances[t.Index] * 1e-9));
    }

    [Fact]
    public async Task The_texts_page_is_served_with_its_header()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/texts");

        Assert.Contains($"{TextsFile.Count} texts, each scored by the map's", html, StringComparison.Ordinal);
        Assert.Contains($"{Oracle.ModelNames.Count} models.", html, StringComparison.Ordinal);
        Assert.Contains("Novel (23)", html, StringComparison.Ordinal);
    }
}
