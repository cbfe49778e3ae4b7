using System.Diagnostics.CodeAnalysis;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>The map the pages and the API read: the current snapshot and neighbour queries.</summary>
public interface IModelMapService
{
    MapSnapshot Current { get; }

    /// <summary>
    /// Calls <paramref name="onChanged"/> whenever a model was placed or removed, the layout was refreshed, or the
    /// neighbour index became ready; whoever changed the map awaits it. Dispose the result to stop.
    /// </summary>
    IDisposable Subscribe(Func<Task> onChanged);

    /// <summary>
    /// The <paramref name="k"/> models closest to <paramref name="modelName"/> by the KL estimate in the full
    /// N-dimensional space, never by 2-D distance; false while the neighbour index is being prepared (the first
    /// seconds after a restart; subscribers are told when it is ready). Throws
    /// <see cref="KeyNotFoundException"/> for an unknown model.
    /// </summary>
    bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? neighbours);
}
