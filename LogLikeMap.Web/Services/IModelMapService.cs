namespace LogLikeMap.Web.Services;

/// <summary>The map the pages and the API read: the current snapshot and neighbour queries.</summary>
public interface IModelMapService
{
    MapSnapshot Current { get; }

    /// <summary>A model was placed or removed, or the layout was refreshed.</summary>
    event Action? Changed;

    /// <summary>
    /// The <paramref name="k"/> models closest to <paramref name="modelName"/> by the KL estimate in the full
    /// N-dimensional space, never by 2-D distance. Throws <see cref="KeyNotFoundException"/> for an unknown model.
    /// </summary>
    IReadOnlyList<Neighbour> Neighbours(string modelName, int k);
}
