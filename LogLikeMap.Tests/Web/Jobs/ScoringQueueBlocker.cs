using System.Collections.Concurrent;
using Hangfire;
using Hangfire.States;
using LogLikeMap.Web.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace LogLikeMap.Tests.Web.Jobs;

/// <summary>
/// Occupies the app's one scoring worker with a Hangfire job that waits, so that an upload's job stays queued until the
/// test has changed the world under it (swapped a file, filled the disk) and lets it go.
/// </summary>
public sealed class ScoringQueueBlocker : IDisposable
{
    private static readonly ConcurrentDictionary<string, (TaskCompletionSource Started, TaskCompletionSource Released)> Gates = new();

    private readonly string _key = Guid.NewGuid().ToString("N");

    private ScoringQueueBlocker() => Gates[_key] = (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Returns once the scoring worker is busy waiting; dispose (or <see cref="Release"/>) to free it.</summary>
    public static async Task<ScoringQueueBlocker> HoldAsync(IServiceProvider services)
    {
        var blocker = new ScoringQueueBlocker();
        var key = blocker._key;
        services.GetRequiredService<IBackgroundJobClient>().Create(() => WaitAsync(key), new EnqueuedState(JobsRegistration.ScoringQueue));
        await Gates[key].Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return blocker;
    }

    /// <summary>The Hangfire job: says it started, then waits to be released (a minute at most, so no test hangs).</summary>
    public static async Task WaitAsync(string key)
    {
        var (started, released) = Gates[key];
        started.TrySetResult();
        await released.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }

    public void Release() => Gates[_key].Released.TrySetResult();

    public void Dispose()
    {
        Release();
        Gates.TryRemove(_key, out _);
    }
}
