using System.Diagnostics.CodeAnalysis;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Tests.Web.Components;

/// <summary>A map with fixed models and fixed neighbour lists, so a test knows every number the page shows.</summary>
internal sealed class FakeModelMapService(IReadOnlyList<ModelPoint> models, IReadOnlyDictionary<string, IReadOnlyList<Neighbour>> neighbours)
    : IModelMapService
{
    public MapSnapshot Current { get; private set; } = Snapshot(models);

    public event Action? Changed;

    public List<(string Model, int K)> Queries { get; } = [];

    /// <summary>False: the neighbour index is still being prepared, as right after a restart.</summary>
    public bool NeighboursReady { get; set; } = true;

    public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? found)
    {
        Queries.Add((modelName, k));
        found = NeighboursReady ? [.. neighbours[modelName].Take(k)] : null;
        return NeighboursReady;
    }

    /// <summary>The neighbour index became ready: the service raises <see cref="Changed"/>, as the real one does.</summary>
    public void FinishPreparingNeighbours()
    {
        NeighboursReady = true;
        Changed?.Invoke();
    }

    public void Replace(IReadOnlyList<ModelPoint> newModels)
    {
        Current = Snapshot(newModels);
        Changed?.Invoke();
    }

    private static MapSnapshot Snapshot(IReadOnlyList<ModelPoint> models) =>
        new(1, "test-texts", 300, 1000.5, models, ["Books", "Code"], DateTimeOffset.UnixEpoch);
}

/// <summary>Removes from a fake map as MapMaintenance does from the real one (the map changes before the call returns), or fails as told.</summary>
internal sealed class FakeModelRemoval(FakeModelMapService map, Exception? failure = null) : IModelRemoval
{
    public List<string> Removed { get; } = [];

    public Task<bool> RemoveAsync(string name, CancellationToken ct)
    {
        if (failure is not null)
            return Task.FromException<bool>(failure);
        if (!map.Current.Models.Any(m => m.Name == name))
            return Task.FromResult(false);
        Removed.Add(name);
        map.Replace([.. map.Current.Models.Where(m => m.Name != name)]);
        return Task.FromResult(true);
    }
}

internal sealed class FakeTextSetService(TextSetTable table) : ITextSetService
{
    public Task<TextSetTable> CurrentAsync(CancellationToken ct) => Task.FromResult(table);
}

internal sealed class FakeUploadService(UploadResult answer) : IUploadService
{
    public List<(string Kind, string Name, string Family, long Bytes)> Calls { get; } = [];

    public async Task<UploadResult> SubmitCheckpointZipAsync(Stream zip, string modelName, string family, CancellationToken ct)
    {
        Calls.Add(("zip", modelName, family, await CountAsync(zip, ct)));
        return answer;
    }

    public Task<UploadResult> SubmitServerFolderAsync(string folder, string modelName, string family, CancellationToken ct)
    {
        Calls.Add(("folder", modelName, family, 0));
        return Task.FromResult(answer);
    }

    public async Task<UploadResult> SubmitResultsFileAsync(Stream resultsJsonl, string modelName, string family, CancellationToken ct)
    {
        Calls.Add(("results", modelName, family, await CountAsync(resultsJsonl, ct)));
        return answer;
    }

    private static async Task<long> CountAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[8192];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            total += read;
        return total;
    }
}

internal sealed class FakeJobMonitor : IJobMonitor
{
    private readonly Dictionary<string, JobStatus> _jobs = [];

    public event Action<JobStatus>? Updated;

    public List<string> Cancelled { get; } = [];

    public JobStatus? Get(string jobId) => _jobs.GetValueOrDefault(jobId);

    public IReadOnlyList<JobStatus> Recent(int count) => [.. _jobs.Values.OrderByDescending(j => j.Updated).Take(count)];

    public string EnqueueRefresh()
    {
        Publish(new JobStatus("refresh-1", "refresh", null, "Queued", 0, 0, 0, null, null, DateTimeOffset.UnixEpoch));
        return "refresh-1";
    }

    public bool Cancel(string jobId)
    {
        Cancelled.Add(jobId);
        return true;
    }

    public void Publish(JobStatus status)
    {
        _jobs[status.JobId] = status;
        Updated?.Invoke(status);
    }
}

internal static class TestModels
{
    public static ModelPoint Model(string name, string family, double x, double y, long? parameters = null,
        DateTimeOffset? created = null, double meanLogLikelihood = -600, string? domain = null, bool provisional = false) =>
        new(name, family, "llama", parameters, created, meanLogLikelihood, domain, x, y, provisional);
}
