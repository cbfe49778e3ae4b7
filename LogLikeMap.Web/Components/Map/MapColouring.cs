namespace LogLikeMap.Web.Components.Map;

/// <summary>What the colour of a point on the map shows (the paper's Fig. 1 panels).</summary>
public enum MapColouring
{
    Family,
    MeanLogLikelihood,
    Parameters,
    Created,
    StrongestDomain,
}

/// <summary>The short names a colouring has in a link, and the labels the page shows.</summary>
public static class MapColourings
{
    public static IReadOnlyList<MapColouring> All { get; } = Enum.GetValues<MapColouring>();

    /// <summary>Categorical colourings get one colour per category and a legend; the others a colour bar.</summary>
    public static bool IsCategorical(this MapColouring colouring) =>
        colouring is MapColouring.Family or MapColouring.StrongestDomain;

    public static string Label(this MapColouring colouring) => colouring switch
    {
        MapColouring.Family => "Family",
        MapColouring.MeanLogLikelihood => "Mean log-likelihood",
        MapColouring.Parameters => "Parameter count",
        MapColouring.Created => "Creation date",
        MapColouring.StrongestDomain => "Strongest text domain",
        _ => throw new ArgumentOutOfRangeException(nameof(colouring), colouring, null),
    };

    public static string UrlToken(this MapColouring colouring) => colouring switch
    {
        MapColouring.Family => "family",
        MapColouring.MeanLogLikelihood => "loglik",
        MapColouring.Parameters => "params",
        MapColouring.Created => "created",
        MapColouring.StrongestDomain => "domain",
        _ => throw new ArgumentOutOfRangeException(nameof(colouring), colouring, null),
    };

    public static MapColouring? FromUrlToken(string? token) =>
        All.Cast<MapColouring?>().FirstOrDefault(c => string.Equals(c!.Value.UrlToken(), token, StringComparison.OrdinalIgnoreCase));
}
