using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Components.Map;

/// <summary>What the colour of a point on the map shows (the paper's Fig. 1 panels).</summary>
public enum MapColouring
{
    Family,
    MeanLogLikelihood,
    Parameters,
    Created,
    StrongestDomain,
    Change,
    Data,
}

/// <summary>The short names a colouring has in a link, and the labels the page shows.</summary>
public static class MapColourings
{
    public static IReadOnlyList<MapColouring> All { get; } = Enum.GetValues<MapColouring>();

    /// <summary>Categorical colourings get one colour per category and a legend; the others a colour bar.</summary>
    public static bool IsCategorical(this MapColouring colouring) =>
        colouring is MapColouring.Family or MapColouring.StrongestDomain or MapColouring.Change or MapColouring.Data;

    /// <summary>A model's category under a categorical colouring (null where the model's metadata does not say).</summary>
    public static string? CategoryOf(this MapColouring colouring, ModelPoint model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return colouring switch
        {
            MapColouring.Family => model.Family,
            MapColouring.StrongestDomain => model.StrongestDomain,
            MapColouring.Change => model.Change,
            MapColouring.Data => model.Data,
            _ => throw new ArgumentOutOfRangeException(nameof(colouring), colouring, "Not a categorical colouring."),
        };
    }

    public static string Label(this MapColouring colouring) => colouring switch
    {
        MapColouring.Family => "Family (lineage)",
        MapColouring.MeanLogLikelihood => "Mean log-likelihood",
        MapColouring.Parameters => "Parameter count",
        MapColouring.Created => "Creation date",
        MapColouring.StrongestDomain => "Strongest text domain",
        MapColouring.Change => "Kind of change",
        MapColouring.Data => "Training data",
        _ => throw new ArgumentOutOfRangeException(nameof(colouring), colouring, null),
    };

    public static string UrlToken(this MapColouring colouring) => colouring switch
    {
        MapColouring.Family => "family",
        MapColouring.MeanLogLikelihood => "loglik",
        MapColouring.Parameters => "params",
        MapColouring.Created => "created",
        MapColouring.StrongestDomain => "domain",
        MapColouring.Change => "change",
        MapColouring.Data => "data",
        _ => throw new ArgumentOutOfRangeException(nameof(colouring), colouring, null),
    };

    public static MapColouring? FromUrlToken(string? token) =>
        All.Cast<MapColouring?>().FirstOrDefault(c => string.Equals(c!.Value.UrlToken(), token, StringComparison.OrdinalIgnoreCase));
}
