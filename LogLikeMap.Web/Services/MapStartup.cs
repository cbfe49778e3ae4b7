namespace LogLikeMap.Web.Services;

/// <summary>
/// Loads the map before the app answers requests, so the first page already shows it, then prepares its
/// neighbour index in the background (<see cref="MapMaintenance.PrepareNeighboursAsync"/>), cancelled when the
/// app stops; should that fail, the host stops (BackgroundService's default) rather than serve a map without neighbours.
/// </summary>
internal sealed class MapStartup(MapMaintenance maintenance) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await maintenance.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => maintenance.PrepareNeighboursAsync(stoppingToken);
}
