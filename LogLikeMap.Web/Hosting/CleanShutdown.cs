namespace LogLikeMap.Web.Hosting;

/// <summary>
/// How the app stops on SIGTERM (docker stop, systemd, Ctrl+C): within a few seconds, exit code 0, no unhandled exception.
/// </summary>
/// <remarks>
/// Seen before: a browser's open circuit kept Kestrel waiting for the host's whole 30 s, and since hosted services
/// stopped one after another the Hangfire servers were handed an already expired token and threw "One or more hosted
/// services failed to stop". Now every service stops at once with the same short budget: Kestrel closes the circuits
/// and aborts what is still open when the budget ends, the Hangfire servers cancel their jobs' tokens at once
/// (<see cref="HangfireStopTimeout"/>), and the jobs resume from their stored progress on the next start.
/// </remarks>
public static class CleanShutdown
{
    /// <summary>How long the host waits for its services (Kestrel, Hangfire, the map) before it stops regardless.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <summary>Hangfire waits this long after the stop before it cancels the running jobs' tokens: not at all.</summary>
    public static readonly TimeSpan HangfireStopTimeout = TimeSpan.Zero;

    public static IHostApplicationBuilder AddCleanShutdown(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = Budget;
            o.ServicesStopConcurrently = true;
        });
        return builder;
    }

    /// <summary>
    /// Runs the app until it is stopped. A stop requested while the app is still starting (the map loads before the app
    /// answers) ends the start-up with a cancellation, and a job that ignores its token past <see cref="Budget"/> makes
    /// Hangfire's stop report one: either way the app was asked to stop and did, so it ends normally, saying so.
    /// </summary>
    public static async Task RunUntilStoppedAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Taken now: when RunAsync throws, the host and its services are already disposed.
        var stopping = app.Lifetime.ApplicationStopping;
        var logger = app.Logger;
        try
        {
            await app.RunAsync();
        }
        catch (Exception e) when (stopping.IsCancellationRequested && IsCancellation(e))
        {
            logger.LogWarning(
                "Stopped before every service had finished (start-up cut short, or a job still running after {Budget}); "
                + "unfinished jobs are queued again and resume on the next start.", Budget);
        }
    }

    private static bool IsCancellation(Exception e) => e switch
    {
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsCancellation),
        _ => false,
    };
}
