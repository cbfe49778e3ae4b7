using LogLikeMap.Web.Services;
using Microsoft.Extensions.Logging;

namespace LogLikeMap.Tests.Web.Services;

public sealed class SubscribersTests
{
    private readonly RecordingLogger _logger = new();

    [Fact]
    public async Task Publishing_calls_every_subscriber_with_the_value_and_completes_only_when_all_have()
    {
        var subscribers = new Subscribers<int>(_logger);
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        var heard = new List<(string, int)>();
        using var a = subscribers.Subscribe(v => { heard.Add(("a", v)); return first.Task; });
        using var b = subscribers.Subscribe(v => { heard.Add(("b", v)); return second.Task; });

        var publishing = subscribers.PublishAsync(7);

        Assert.Equal([("a", 7), ("b", 7)], heard);
        Assert.False(publishing.IsCompleted);
        first.SetResult();
        Assert.False(publishing.IsCompleted);
        second.SetResult();
        await publishing;
        Assert.Empty(_logger.Warnings);
    }

    [Fact]
    public async Task A_failing_subscriber_is_logged_and_neither_stops_the_others_nor_fails_the_publisher()
    {
        var subscribers = new Subscribers<string>(_logger);
        var heard = new List<string>();
        using var throwsAtOnce = subscribers.Subscribe(_ => throw new ObjectDisposedException("closed circuit"));
        using var faultsLater = subscribers.Subscribe(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("renderer gone");
        });
        using var healthy = subscribers.Subscribe(v =>
        {
            heard.Add(v);
            return Task.CompletedTask;
        });

        await subscribers.PublishAsync("placed");

        // The closed page is routine (Debug); the page that broke is a fault worth a warning.
        Assert.Equal(["placed"], heard);
        Assert.IsType<InvalidOperationException>(Assert.Single(_logger.Warnings));
        Assert.IsType<ObjectDisposedException>(Assert.Single(_logger.Debugs));
    }

    [Fact]
    public async Task A_disposed_subscription_is_no_longer_called_and_the_others_still_are()
    {
        var subscribers = new Subscribers<int>(_logger);
        var heard = new List<(string, int)>();
        var gone = subscribers.Subscribe(v => { heard.Add(("gone", v)); return Task.CompletedTask; });
        using var stays = subscribers.Subscribe(v => { heard.Add(("stays", v)); return Task.CompletedTask; });

        await subscribers.PublishAsync(1);
        gone.Dispose();
        gone.Dispose();
        await subscribers.PublishAsync(2);

        Assert.Equal([("gone", 1), ("stays", 1), ("stays", 2)], heard);
    }

    [Fact]
    public async Task The_same_handler_subscribed_twice_is_called_twice_and_each_subscription_removes_only_itself()
    {
        var subscribers = new Subscribers<int>(_logger);
        var calls = 0;
        Task Handler(int _)
        {
            calls++;
            return Task.CompletedTask;
        }
        var once = subscribers.Subscribe(Handler);
        using var twice = subscribers.Subscribe(Handler);

        await subscribers.PublishAsync(1);
        once.Dispose();
        await subscribers.PublishAsync(2);

        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Publishing_with_no_subscribers_completes()
    {
        await new Subscribers<int>(_logger).PublishAsync(1);

        Assert.Empty(_logger.Warnings);
    }

    /// <summary>Keeps the exceptions logged at Warning (a failed subscriber) and at Debug (a closed page).</summary>
    private sealed class RecordingLogger : ILogger
    {
        private readonly List<(LogLevel Level, Exception? Exception)> _logged = [];

        public IReadOnlyList<Exception?> Warnings => At(LogLevel.Warning);

        public IReadOnlyList<Exception?> Debugs => At(LogLevel.Debug);

        private List<Exception?> At(LogLevel level)
        {
            lock (_logged)
                return [.. _logged.Where(l => l.Level == level).Select(l => l.Exception)];
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_logged)
                _logged.Add((logLevel, exception));
        }
    }
}
