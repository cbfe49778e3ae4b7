namespace LogLikeMap.Web.Services;

/// <summary>
/// Takes a model off the map and out of the store; the others keep their places until the next refresh.
/// The administrator's DELETE /api/models/{name} and the models page both go through it.
/// </summary>
public interface IModelRemoval
{
    /// <summary>False when no model of that name is on the map (someone else may have deleted it first).</summary>
    Task<bool> RemoveAsync(string name, CancellationToken ct);
}
