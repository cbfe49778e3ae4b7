using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LogLikeMap.Core.Map;
using LogLikeMap.Tests.Web.Components;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Api;

public sealed class MapApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static readonly DemoMapOracle Oracle = new();

    [Fact]
    public async Task Models_lists_every_model_of_the_demo_map_once()
    {
        using var client = factory.CreateClient();
        var models = await client.GetFromJsonAsync<List<ModelPoint>>("/api/models");

        Assert.NotNull(models);
        Assert.Equal(Oracle.ModelNames.Order(StringComparer.Ordinal), models.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(models, m => Assert.True(double.IsFinite(m.X) && double.IsFinite(m.Y)));
    }

    [Theory]
    [InlineData("AIJUUD/juud-Mistral-7B", 5)]
    [InlineData("aaditya/Llama3-OpenBioLLM-8B", 39)]
    public async Task Neighbours_equal_the_closed_form_KL_from_the_raw_matrix(string model, int k)
    {
        using var client = factory.CreateClient();
        var response = await client.GetFromJsonAsync<NeighboursResponse>(
            $"/api/models/{Uri.EscapeDataString(model)}/neighbours?k={k}");

        Assert.NotNull(response);
        var expected = Oracle.Ranked(model).Take(k).ToList();
        Assert.Equal(expected.Select(e => e.Name), response.Neighbours.Select(n => n.Name));
        Assert.Equal(Enumerable.Range(1, k), response.Neighbours.Select(n => n.Rank));
        foreach (var (neighbour, (_, kl)) in response.Neighbours.Zip(expected))
        {
            Assert.Equal(kl, neighbour.KlNats, kl * 1e-9);
            Assert.Equal(kl / (Oracle.MeanTextBytes * Math.Log(2)), Assert.NotNull(neighbour.KlBitsPerByte), kl * 1e-9);
        }
    }

    [Theory]
    [InlineData("AIJUUD/juud-Mistral-7B")]
    [InlineData("aaditya/Llama3-OpenBioLLM-8B")]
    public async Task Neighbours_name_the_nearest_family_and_the_KL_margin_to_the_next_from_the_raw_matrix(string model)
    {
        using var client = factory.CreateClient();
        var response = await client.GetFromJsonAsync<NeighboursResponse>($"/api/models/{Uri.EscapeDataString(model)}/neighbours?k=3");

        // Oracle: each family's closest member by the closed-form KL; the two closest families.
        var families = File.ReadLines(Path.Combine(WebAppFactory.DemoMapFolder, "models.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("family").GetString()!);
        var byFamily = Oracle.Ranked(model).GroupBy(o => families[o.Name]).Select(g => (Family: g.Key, Kl: g.Min(o => o.KlNats))).OrderBy(f => f.Kl).ToList();
        var lineage = response!.NearestLineage!;
        Assert.Equal((byFamily[0].Family, byFamily[1].Family), (lineage.Lineage, lineage.RunnerUp));
        Assert.Equal(byFamily[0].Kl, lineage.KlNats, byFamily[0].Kl * 1e-9);
        Assert.Equal(byFamily[1].Kl - byFamily[0].Kl, lineage.MarginNats!.Value, byFamily[1].Kl * 1e-9);
    }

    [Fact]
    public async Task A_single_model_is_found_by_its_escaped_name()
    {
        using var client = factory.CreateClient();
        var model = await client.GetFromJsonAsync<ModelPoint>("/api/models/AIJUUD%2Fjuud-Mistral-7B");

        Assert.NotNull(model);
        Assert.Equal("mistral", model.Family);
        Assert.Equal(7_000_000_000, model.Parameters);
    }

    [Fact]
    public async Task Unknown_model_and_bad_k_answer_problem_details()
    {
        using var client = factory.CreateClient();
        var unknown = await client.GetAsync("/api/models/no-such-model/neighbours");
        var badK = await client.GetAsync("/api/models/AIJUUD%2Fjuud-Mistral-7B/neighbours?k=0");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-such-model", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badK.StatusCode);
        Assert.Contains("k must be between 1 and 39", await badK.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Layout_has_a_point_for_every_model()
    {
        using var client = factory.CreateClient();
        var layout = await client.GetFromJsonAsync<LayoutResponse>("/api/layout");

        Assert.NotNull(layout);
        Assert.Equal(Oracle.ModelNames.Count, layout.Points.Count);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_map_endpoints()
    {
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        Assert.True(paths.TryGetProperty("/api/models", out _));
        Assert.True(paths.TryGetProperty("/api/models/{name}/neighbours", out _));
        Assert.True(paths.TryGetProperty("/api/layout", out _));
    }

    [Fact]
    public async Task Exports_hold_every_model_and_the_closed_form_KL()
    {
        using var client = factory.CreateClient();
        var layout = (await client.GetStringAsync("/api/export/layout?format=csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var neighbours = (await client.GetStringAsync("/api/export/neighbours?format=csv&k=1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var matrix = JsonDocument.Parse(await client.GetStringAsync("/api/export/matrix?format=json"));
        using var bad = await client.GetAsync("/api/export/weights");

        Assert.Equal(Oracle.ModelNames.Count + 1, layout.Length);
        Assert.Equal(Oracle.ModelNames.Count + 1, neighbours.Length);
        var first = neighbours.Skip(1).Select(l => l.Split(',')).Single(f => f[0] == "AIJUUD/juud-Mistral-7B");
        var (nearest, kl) = Oracle.Ranked("AIJUUD/juud-Mistral-7B")[0];
        Assert.Equal(nearest, first[2]);
        Assert.Equal(kl, double.Parse(first[3], System.Globalization.CultureInfo.InvariantCulture), kl * 1e-9);
        Assert.Equal(Oracle.ModelNames.Count, matrix.RootElement.GetProperty("models").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Neighbours_asked_before_the_index_is_ready_answer_503_with_Retry_After()
    {
        var preparing = new FakeModelMapService([TestModels.Model("a", "opt", 0, 0), TestModels.Model("b", "opt", 1, 1)], new Dictionary<string, IReadOnlyList<Neighbour>>())
        {
            NeighboursReady = false,
        };
        using var app = new WebAppFactory();
        using var withPreparing = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IModelMapService>(preparing)));
        using var client = withPreparing.CreateClient();

        using var neighbours = await client.GetAsync("/api/models/a/neighbours?k=1");
        var models = await client.GetFromJsonAsync<List<ModelPoint>>("/api/models");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, neighbours.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(ModelsApi.RetryNeighboursAfterSeconds), neighbours.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", neighbours.Content.Headers.ContentType?.MediaType);
        Assert.Contains("being prepared", await neighbours.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["a", "b"], models!.Select(m => m.Name));
    }

    [Fact]
    public async Task The_neighbours_export_answers_503_with_Retry_After_until_the_index_is_ready_and_the_layout_export_does_not_wait()
    {
        using var app = new WebAppFactory();
        using var client = app.CreateClient();
        await client.GetStringAsync("/api/models");
        // The state a restart shows first: the stored layout, its Gram matrix not built yet.
        var map = app.Services.GetRequiredService<ModelMapService>();
        var ready = map.State;
        await map.PublishAsync(TestMapStates.WithoutNeighbourIndex(ready));

        using var preparing = await client.GetAsync("/api/export/neighbours?format=json&k=3");
        using var layout = await client.GetAsync("/api/export/layout?format=csv");
        await map.PublishAsync(ready);
        using var done = await client.GetAsync("/api/export/neighbours?format=csv&k=1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, preparing.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(ModelsApi.RetryNeighboursAfterSeconds), preparing.Headers.RetryAfter?.Delta);
        Assert.Contains("being prepared", await preparing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, layout.StatusCode);
        Assert.Equal(Oracle.ModelNames.Count + 1, (await layout.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    [Fact]
    public async Task After_a_restart_the_map_answers_at_once_and_its_neighbours_equal_the_closed_form_when_ready()
    {
        var folder = Directory.CreateTempSubdirectory("loglikemap-restart-").FullName;
        try
        {
            List<ModelPoint> before;
            using (var first = WebAppFactory.Over(folder))
            using (var client = first.CreateClient())
                before = (await client.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;

            using var second = WebAppFactory.Over(folder);
            using var again = second.CreateClient();
            var after = (await again.GetFromJsonAsync<List<ModelPoint>>("/api/models"))!;
            Assert.Equal(before.Select(m => (m.Name, m.X, m.Y)).Order(), after.Select(m => (m.Name, m.X, m.Y)).Order());

            // Each answer is either "being prepared" or final; the index is small here, so it comes quickly.
            const string model = "aaditya/Llama3-OpenBioLLM-8B";
            NeighboursResponse? neighbours = null;
            for (var attempt = 0; neighbours is null && attempt < 600; attempt++)
            {
                using var response = await again.GetAsync($"/api/models/{Uri.EscapeDataString(model)}/neighbours?k=7");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.NotNull(response.Headers.RetryAfter);
                    await Task.Delay(50);
                    continue;
                }
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                neighbours = await response.Content.ReadFromJsonAsync<NeighboursResponse>();
            }

            Assert.NotNull(neighbours);
            var expected = Oracle.Ranked(model).Take(7).ToList();
            Assert.Equal(expected.Select(e => e.Name), neighbours.Neighbours.Select(n => n.Name));
            foreach (var (neighbour, (_, kl)) in neighbours.Neighbours.Zip(expected))
                Assert.Equal(kl, neighbour.KlNats, kl * 1e-9);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
