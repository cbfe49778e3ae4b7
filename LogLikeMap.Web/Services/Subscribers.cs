using System.Collections.Immutable;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Who wants to hear of one kind of change (the map changed, a job moved on), and the asynchronous way to tell them:
/// <see cref="PublishAsync"/> calls every subscriber at once and completes when all of them have, so the change's
/// author awaits its notification instead of leaving it to run unobserved. A subscriber that fails is logged; it
/// neither stops the others nor fails the change that was published. A page whose circuit closed between the
/// snapshot of subscribers and its call (ObjectDisposedException from its renderer) is routine and logged at Debug;
/// any other failure is a fault in the page and logged as a warning.
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
        catch (ObjectDisposedException e)
        {
            logger.LogDebug(e, "A page closed while it was told of {Notification}.", typeof(T).Name);
        }
        catch (Exception e)
        {
            // The subscriber's own failure: the change itself happened, and the others are still owed their notification.
            logger.LogWarning(e, "A subscriber to {Notification} failed; the others were notified.", typeof(T).Name);
        }
    }

    private sealed class Subscription(Subscribers<T> owner, Func<T, Task> onPublished) : IDisposable
    {
        public Func<T, Task> OnPublished { get; } = onPublished;

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscriptions, all => all.Remove(this));
    }
}
