using System.Diagnostics.CodeAnalysis;

namespace LogLikeMap.Web.Services;

/// <summary>
/// Holds the map in memory for the whole process (a singleton): readers take the current <see cref="MapState"/>
/// without locks; a change builds a new state and swaps it in, then raises <see cref="Changed"/>.
/// </summary>
public sealed class ModelMapService : IModelMapService
{
    private MapState _state = MapState.Empty;

    public MapSnapshot Current => Volatile.Read(ref _state).Snapshot;

    public event Action? Changed;

    public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? neighbours) =>
        Volatile.Read(ref _state).TryGetNeighbours(modelName, k, out neighbours);

    internal MapState State => Volatile.Read(ref _state);

    internal void Publish(MapState state)
    {
        Volatile.Write(ref _state, state);
        Changed?.Invoke();
    }
}
