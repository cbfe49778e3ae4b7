using Hangfire;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Jobs;

/// <summary>Registers (or removes) the recurring full refresh from Jobs:RefreshSchedule at start.</summary>
internal sealed class RefreshSchedule(IRecurringJobManager recurring, IOptions<JobsOptions> options) : IHostedService
{
    public const string RecurringJobId = "refresh-map";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.RefreshSchedule))
        {
            recurring.RemoveIfExists(RecurringJobId);
            return Task.CompletedTask;
        }
        try
        {
            recurring.AddOrUpdate<RefreshMapJob>(RecurringJobId, job => job.RunAsync(null, CancellationToken.None), options.Value.RefreshSchedule);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(
                $"Jobs:RefreshSchedule '{options.Value.RefreshSchedule}' is not a cron expression (e.g. \"0 3 * * *\" for 03:00 every day); leave it empty for no schedule.", e);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
