using Hangfire;
using Hangfire.AspNetCore;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Workers;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Jobs;

public static class JobsRegistration
{
    /// <summary>The queue that scores checkpoints: one worker, because torch's thread pool is process-wide (docs/stack.md).</summary>
    public const string ScoringQueue = "scoring";

    /// <summary>Map refreshes and placements.</summary>
    public const string MapQueue = "map";

    /// <summary>
    /// Hangfire with the configured storage and the servers of this process's roles (Jobs:Roles): the worker role's
    /// scoring server (one worker: torch threads are process-wide, so one scoring run per process and one process per
    /// GPU) and the web role's map server, with the job monitor and the orphan watcher in either role.
    /// </summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var data = builder.Configuration.GetSection(DataOptions.Section).Get<DataOptions>() ?? new DataOptions();
        var settings = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var shared = SharedStore.Of(data, settings);
        builder.Services.AddOptions<JobsOptions>()
            .Bind(builder.Configuration.GetSection(JobsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Storage != JobStorageKind.PostgreSql || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Jobs:Storage is PostgreSql but Jobs:ConnectionString is empty; give the PostgreSQL connection string.")
            .Validate(o => o.Roles != 0, "Jobs:Roles is empty; give Web, Worker or \"Web, Worker\".")
            .Validate(o => o.Roles == (JobRoles.Web | JobRoles.Worker) || shared.Enabled,
                "Jobs:Roles Web or Worker alone needs state the processes share: set Data:Database and Jobs:Storage to PostgreSql, "
                + "with their connection strings.")
            .Validate(o => o.OrphanAfter >= 3 * o.ServerHeartbeat,
                "Jobs:OrphanAfter must be at least three Jobs:ServerHeartbeat intervals, or a busy but live server would lose its jobs.")
            .ValidateOnStart();
        builder.Services.AddSingleton(shared);
        builder.Services.AddSingleton(sp => WorkerPlace.Of(sp.GetRequiredService<IOptions<JobsOptions>>().Value));

        // This app's own storage and job activator, registered before AddHangfire so that its defaults (the process-wide
        // JobStorage.Current and JobActivator.Current) are not used: several apps can then run in one process.
        builder.Services.AddSingleton(services => JobStorages.Create(
            services.GetRequiredService<IOptions<JobsOptions>>().Value, services.GetRequiredService<DataPaths>().DataFolder));
        builder.Services.AddSingleton<JobActivator>(services => new AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire(configuration => configuration.UseJobSerialization());
        if (settings.Roles.HasFlag(JobRoles.Worker))
        {
            builder.Services.AddHangfireServer((services, o) =>
            {
                o.ServerName = services.GetRequiredService<WorkerPlace>().ServerName;
                o.Queues = [ScoringQueue];
                o.WorkerCount = 1;
                o.HeartbeatInterval = settings.ServerHeartbeat;
                o.StopTimeout = Hosting.CleanShutdown.HangfireStopTimeout;
            });
        }
        if (settings.Roles.HasFlag(JobRoles.Web))
        {
            builder.Services.AddHangfireServer((services, o) =>
            {
                o.ServerName = $"{Environment.MachineName}:{MapQueue}";
                o.Queues = [MapQueue, "default"];
                o.WorkerCount = services.GetRequiredService<IOptions<JobsOptions>>().Value.MapWorkerCount;
                o.HeartbeatInterval = settings.ServerHeartbeat;
                o.StopTimeout = Hosting.CleanShutdown.HangfireStopTimeout;
            });
            builder.Services.AddHostedService<RefreshSchedule>();
            if (shared.Enabled)
                builder.Services.AddHostedService<RemoteJobProgress>();
        }
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobMonitor>();
        builder.Services.AddSingleton<IJobMonitor>(sp => sp.GetRequiredService<JobMonitor>());
        builder.Services.AddHostedService<OrphanedJobs>();
        return builder;
    }

    /// <summary>
    /// How jobs are written to the queue: the web app, its workers and <c>loglikemap queue</c> must all use this, or a
    /// worker cannot read a job another process queued.
    /// </summary>
    public static IGlobalConfiguration UseJobSerialization(this IGlobalConfiguration configuration) => configuration
        .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
        .UseSimpleAssemblyNameTypeSerializer()
        .UseRecommendedSerializerSettings();

    /// <summary>The dashboard at /jobs/dashboard, for administrators only (Hangfire's own filter would allow only local requests).</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHangfireDashboard("/jobs/dashboard", new DashboardOptions { Authorization = [], AppPath = "/jobs", DashboardTitle = "LogLikeMap jobs" })
            .RequireAuthorization(AdminPolicy.Name);
        return app;
    }
}
