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

    public IReadOnlyList<Neighbour> Neighbours(string modelName, int k) => Volatile.Read(ref _state).Neighbours(modelName, k);

    internal MapState State => Volatile.Read(ref _state);

    internal void Publish(MapState state)
    {
        Volatile.Write(ref _state, state);
        Changed?.Invoke();
    }
}
