using System.Diagnostics.CodeAnalysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Holds the map in memory for the whole process (a singleton): readers take the current <see cref="MapState"/>
/// without locks; a change builds a new state, swaps it in, then tells the subscribers and awaits them.
/// </summary>
public sealed class ModelMapService(ILogger<ModelMapService> logger) : IModelMapService
{
    private readonly Subscribers<MapSnapshot> _changed = new(logger);
    private MapState _state = MapState.Empty;

    public MapSnapshot Current => Volatile.Read(ref _state).Snapshot;

    public IDisposable Subscribe(Func<Task> onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        return _changed.Subscribe(_ => onChanged());
    }

    public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? neighbours) =>
        Volatile.Read(ref _state).TryGetNeighbours(modelName, k, out neighbours);

    internal MapState State => Volatile.Read(ref _state);

    /// <summary>Shows <paramref name="state"/> from now on; completes once every subscriber has been told.</summary>
    internal Task PublishAsync(MapState state)
    {
        Volatile.Write(ref _state, state);
        return _changed.PublishAsync(state.Snapshot);
    }
}
