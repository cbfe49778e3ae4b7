using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>The nearest lineage of a model on the map (<see cref="NearestLineage"/>), for the neighbour API and the side panel.</summary>
public static class Lineages
{
    /// <summary>
    /// The family whose nearest member is closest to <paramref name="modelName"/> in the full space, with the KL
    /// margin to the next family; null while the neighbour index is prepared or when the model is alone on the map.
    /// </summary>
    public static LineageMatch? Nearest(IModelMapService map, string modelName)
    {
        ArgumentNullException.ThrowIfNull(map);
        var others = map.Current.Models.Count - 1;
        if (others < 1 || !map.TryGetNeighbours(modelName, others, out var all))
            return null;
        // The map's neighbours carry their card's family, "unknown" where the card gives none.
        return NearestLineage.Of(all.Select(n => (n.Family ?? "unknown", n.KlNats)));
    }
}
