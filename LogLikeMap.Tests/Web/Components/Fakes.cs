using System.Diagnostics.CodeAnalysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogLikeMap.Tests.Web.Components;

/// <summary>A map with fixed models and fixed neighbour lists, so a test knows every number the page shows.</summary>
internal sealed class FakeModelMapService(IReadOnlyList<ModelPoint> models, IReadOnlyDictionary<string, IReadOnlyList<Neighbour>> neighbours)
    : IModelMapService
{
    private readonly Subscribers<MapSnapshot> _changed = new(NullLogger.Instance);

    public MapSnapshot Current { get; private set; } = Snapshot(models);

    public IDisposable Subscribe(Func<Task> onChanged) => _changed.Subscribe(_ => onChanged());

    public List<(string Model, int K)> Queries { get; } = [];

    /// <summary>False: the neighbour index is still being prepared, as right after a restart.</summary>
    public bool NeighboursReady { get; set; } = true;

    public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? found)
    {
        Queries.Add((modelName, k));
        found = NeighboursReady ? [.. neighbours[modelName].Take(k)] : null;
        return NeighboursReady;
    }

    /// <summary>The neighbour index became ready: the service tells its subscribers, as the real one does.</summary>
    public Task FinishPreparingNeighboursAsync()
    {
        NeighboursReady = true;
        return _changed.PublishAsync(Current);
    }

    /// <param name="layoutVersion">The stored layout version the new snapshot draws; a full refresh raises it.</param>
    public Task ReplaceAsync(IReadOnlyList<ModelPoint> newModels, int layoutVersion = 1)
    {
        Current = Snapshot(newModels, layoutVersion);
        return _changed.PublishAsync(Current);
    }

    private static MapSnapshot Snapshot(IReadOnlyList<ModelPoint> models, int layoutVersion = 1) =>
        new(layoutVersion, "test-texts", 300, 1000.5, models, ["Books", "Code"], DateTimeOffset.UnixEpoch);
}

/// <summary>Removes from a fake map as MapMaintenance does from the real one (the map changes before the call returns), or fails as told.</summary>
internal sealed class FakeModelRemoval(FakeModelMapService map, Exception? failure = null) : IModelRemoval
{
    public List<string> Removed { get; } = [];

    public async Task<bool> RemoveAsync(string name, CancellationToken ct)
    {
        if (failure is not null)
            throw failure;
        if (!map.Current.Models.Any(m => m.Name == name))
            return false;
        Removed.Add(name);
        await map.ReplaceAsync([.. map.Current.Models.Where(m => m.Name != name)]);
        return true;
    }
}

internal sealed class FakeTextSetService(TextSetTable table) : ITextSetService
{
    public Task<TextSetTable> CurrentAsync(CancellationToken ct) => Task.FromResult(table);
}

internal sealed class FakeUploadService(UploadResult answer) : IUploadService
{
    public List<(string Kind, string Name, string Family, long Bytes)> Calls { get; } = [];

    /// <summary>Thrown by a zip upload after it was read, as an unexpected server error would be.</summary>
    public Exception? ZipFailure { get; init; }

    public async Task<UploadResult> SubmitCheckpointZipAsync(Stream zip, string modelName, string family, CancellationToken ct)
    {
        Calls.Add(("zip", modelName, family, await CountAsync(zip, ct)));
        if (ZipFailure is not null)
            throw ZipFailure;
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
    private readonly Subscribers<JobStatus> _updated = new(NullLogger.Instance);

    public IDisposable Subscribe(Func<JobStatus, Task> onUpdated) => _updated.Subscribe(onUpdated);

    public List<string> Cancelled { get; } = [];

    public JobStatus? Get(string jobId) => _jobs.GetValueOrDefault(jobId);

    public IReadOnlyList<JobStatus> Recent(int count) => [.. _jobs.Values.OrderByDescending(j => j.Updated).Take(count)];

    public async Task<string> EnqueueRefreshAsync()
    {
        await PublishAsync(new JobStatus("refresh-1", JobKind.Refresh, null, JobState.Queued, 0, 0, 0, null, null, DateTimeOffset.UnixEpoch));
        return "refresh-1";
    }

    public Task<bool> CancelAsync(string jobId)
    {
        Cancelled.Add(jobId);
        return Task.FromResult(true);
    }

    public Task PublishAsync(JobStatus status)
    {
        _jobs[status.JobId] = status;
        return _updated.PublishAsync(status);
    }
}

internal static class TestModels
{
    public static ModelPoint Model(string name, string family, double x, double y, long? parameters = null,
        DateTimeOffset? created = null, double meanLogLikelihood = -600, string? domain = null, bool provisional = false) =>
        new(name, family, "llama", parameters, created, meanLogLikelihood, domain, x, y, provisional);
}
