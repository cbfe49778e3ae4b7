using System.Net;
using LogLikeMap.Core.Formats;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// A layout's clip threshold and column means belong to it (docs/method.md §1.3): a model deleted since, and the app
/// restarted, the map shows exactly the Q, points and neighbours it showed before the restart.
/// </summary>
public sealed class MapRestartTests
{
    [Fact]
    public async Task After_a_deletion_a_restart_shows_the_same_q_points_and_neighbours()
    {
        var raw = ResultsFolder.Read(Path.Combine(WebAppFactory.DemoMapFolder, "results"), CancellationToken.None).Matrix;
        var threshold = NumpyPercentile([.. raw.Values.ToArray()], 2);
        // The model with the most values below the threshold: without it, the 2nd percentile of the rest is higher,
        // so a threshold recomputed on restart would clip differently.
        var deleted = Enumerable.Range(0, raw.ModelCount).MaxBy(i => raw.Row(i).ToArray().Count(v => v < threshold));
        var rest = Enumerable.Range(0, raw.ModelCount).Where(i => i != deleted).SelectMany(i => raw.Row(i).ToArray()).ToArray();
        Assert.NotEqual(threshold, NumpyPercentile(rest, 2));
        var name = raw.ModelNames[deleted];

        var folder = Directory.CreateTempSubdirectory("loglikemap-restart-").FullName;
        try
        {
            (string Q, string Layout, string Neighbours) before, after;
            using (var app = WebAppFactory.Over(folder))
            {
                using var client = app.CreateAdminClient();
                await ExportsAsync(client);
                using var removed = await client.DeleteAsync($"/api/models/{Uri.EscapeDataString(name)}");
                Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
                before = await ExportsAsync(client);
            }
            using (var restarted = WebAppFactory.Over(folder))
            {
                using var client = restarted.CreateAdminClient();
                after = await ExportsAsync(client);
            }

            Assert.DoesNotContain(name, before.Layout, StringComparison.Ordinal);
            Assert.Equal(raw.ModelCount, before.Q.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(before.Q, after.Q);
            Assert.Equal(before.Layout, after.Layout);
            Assert.Equal(before.Neighbours, after.Neighbours);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Q, the layout and every model's 5 neighbours as CSV, once the neighbour index is ready.</summary>
    private static async Task<(string Q, string Layout, string Neighbours)> ExportsAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var neighbours = await client.GetAsync("/api/export/neighbours?format=csv&k=5");
            if (neighbours.StatusCode == HttpStatusCode.OK)
                return (await client.GetStringAsync("/api/export/q?format=csv"), await client.GetStringAsync("/api/export/layout?format=csv"),
                    await neighbours.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, neighbours.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "The neighbour index was not ready within 60 seconds.");
            await Task.Delay(100);
        }
    }

    /// <summary>np.percentile(values, p) with its default linear interpolation.</summary>
    private static double NumpyPercentile(double[] values, double p)
    {
        Array.Sort(values);
        var rank = p / 100 * (values.Length - 1);
        var low = (int)Math.Floor(rank);
        return low + 1 < values.Length ? values[low] + ((rank - low) * (values[low + 1] - values[low])) : values[low];
    }
}
