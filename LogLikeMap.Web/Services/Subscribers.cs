using System.Collections.Immutable;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Who wants to hear of one kind of change (the map changed, a job moved on), and the asynchronous way to tell them:
/// <see cref="PublishAsync"/> calls every subscriber at once and completes when all of them have, so the change's
/// author awaits its notification instead of leaving it to run unobserved. A subscriber that fails (a page whose
/// circuit has closed throws ObjectDisposedException or InvalidOperationException from InvokeAsync) is logged; it
/// neither stops the others nor fails the change that was published.
/// </summary>
public sealed class Subscribers<T>(ILogger logger)
{
    private ImmutableList<Subscription> _subscriptions = [];

    /// <summary>Adds <paramref name="onPublished"/>; disposing the result removes it (a component does so in Dispose).</summary>
    public IDisposable Subscribe(Func<T, Task> onPublished)
    {
        ArgumentNullException.ThrowIfNull(onPublished);
        var subscription = new Subscription(this, onPublished);
        ImmutableInterlocked.Update(ref _subscriptions, all => all.Add(subscription));
        return subscription;
    }

    /// <summary>Calls every subscriber with <paramref name="value"/> and completes once all have, failed ones included.</summary>
    public Task PublishAsync(T value) =>
        Task.WhenAll(Volatile.Read(ref _subscriptions).Select(s => NotifyAsync(s, value)));

    private async Task NotifyAsync(Subscription subscription, T value)
    {
        try
        {
            await subscription.OnPublished(value);
        }
        catch (Exception e)
        {
            // The subscriber's own failure (usually a page closed between the snapshot above and the call): the
            // change itself happened, and the other subscribers are still owed their notification.
            logger.LogWarning(e, "A subscriber to {Notification} failed; the others were notified.", typeof(T).Name);
        }
    }

    private sealed class Subscription(Subscribers<T> owner, Func<T, Task> onPublished) : IDisposable
    {
        public Func<T, Task> OnPublished { get; } = onPublished;

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscriptions, all => all.Remove(this));
    }
}
