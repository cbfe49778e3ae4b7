using LogLikeMap.Store;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Workers;

public static class WorkerRegistration
{
    /// <summary>
    /// A scoring worker alone (Jobs:Roles=Worker, issue 12): the store, the jobs with the scoring queue only, the local
    /// checkpoint cache; no pages, no map, and of HTTP only /healthz.
    /// </summary>
    public static IHostApplicationBuilder AddScoringWorker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddStore();
        builder.AddJobs();
        builder.Services.AddSingleton<CheckpointCache>();
        builder.Services.AddHostedService<StoreMigration>();
        return builder;
    }

    /// <summary>
    /// Applies the store's migrations before the worker takes jobs, whichever process starts first (EF Core takes a
    /// database lock while migrating, so a web app and workers starting together do not collide).
    /// </summary>
    private sealed class StoreMigration(StoreContextFactory store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
