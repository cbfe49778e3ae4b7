using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using LogLikeMap.Web.Options;
using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Jobs;

public static class JobsRegistration
{
    /// <summary>The queue that scores checkpoints: one worker, because torch's thread pool is process-wide (docs/stack.md).</summary>
    public const string ScoringQueue = "scoring";

    /// <summary>Map refreshes and placements.</summary>
    public const string MapQueue = "map";

    /// <summary>
    /// Hangfire with the configured storage, two servers (scoring: one worker; map) and the job monitor.
    /// Hangfire keeps its storage in a process-wide static (JobStorage.Current): one app per process.
    /// </summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<JobsOptions>()
            .Bind(builder.Configuration.GetSection(JobsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Storage != JobStorageKind.PostgreSql || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Jobs:Storage is PostgreSql but Jobs:ConnectionString is empty; give the PostgreSQL connection string.")
            .ValidateOnStart();

        builder.Services.AddHangfire((services, configuration) =>
        {
            var options = services.GetRequiredService<IOptions<JobsOptions>>().Value;
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            UseStorage(configuration, options, services.GetRequiredService<DataPaths>());
        });
        builder.Services.AddHangfireServer(o =>
        {
            o.ServerName = $"{Environment.MachineName}:{ScoringQueue}";
            o.Queues = [ScoringQueue];
            o.WorkerCount = 1;
            o.StopTimeout = Hosting.CleanShutdown.HangfireStopTimeout;
        });
        builder.Services.AddHangfireServer((services, o) =>
        {
            o.ServerName = $"{Environment.MachineName}:{MapQueue}";
            o.Queues = [MapQueue, "default"];
            o.WorkerCount = services.GetRequiredService<IOptions<JobsOptions>>().Value.MapWorkerCount;
            o.StopTimeout = Hosting.CleanShutdown.HangfireStopTimeout;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobMonitor>();
        builder.Services.AddSingleton<IJobMonitor>(sp => sp.GetRequiredService<JobMonitor>());
        builder.Services.AddHostedService<RefreshSchedule>();
        builder.Services.AddHostedService<OrphanedJobs>();
        return builder;
    }

    /// <summary>The dashboard at /jobs/dashboard, for administrators only (Hangfire's own filter would allow only local requests).</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHangfireDashboard("/jobs/dashboard", new DashboardOptions { Authorization = [], AppPath = "/jobs", DashboardTitle = "LogLikeMap jobs" })
            .RequireAuthorization(AdminPolicy.Name);
        return app;
    }

    private static void UseStorage(IGlobalConfiguration configuration, JobsOptions options, DataPaths paths)
    {
        switch (options.Storage)
        {
            case JobStorageKind.Sqlite:
                configuration.UseSQLiteStorage(options.ConnectionString ?? Path.Combine(paths.DataFolder, "jobs.db"), new SQLiteStorageOptions
                {
                    QueuePollInterval = options.QueuePollInterval,
                    InvisibilityTimeout = options.InvisibilityTimeout,
                });
                break;
            case JobStorageKind.PostgreSql:
                configuration.UsePostgreSqlStorage(
                    o => o.UseNpgsqlConnection(options.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        QueuePollInterval = options.QueuePollInterval,
                        InvisibilityTimeout = options.InvisibilityTimeout,
                    });
                break;
            case JobStorageKind.InMemory:
                configuration.UseInMemoryStorage();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Storage, "Unknown job storage.");
        }
    }
}
