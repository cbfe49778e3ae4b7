using System.Text.Json.Nodes;

namespace LogLikeMap.Store.Catalog;

/// <summary>
/// What the store knows about a model besides its scores. Null fields are "not known"; on re-import a known
/// field replaces the stored one and an unknown field leaves it as it was.
/// </summary>
public sealed record ModelMetadata(string Name)
{
    /// <summary>The family shown on the map (the paper's <c>modeltype_fig1</c>, or the zoo's family).</summary>
    public string? Family { get; init; }

    /// <summary>config.json's model_type, e.g. "llama".</summary>
    public string? Architecture { get; init; }

    public long? ParameterCount { get; init; }

    public string? Source { get; init; }

    public DateTime? CreatedAt { get; init; }

    /// <summary>Everything else as a JSON object: data_mixture, seed, step, parent, color, benchmark scores...</summary>
    public JsonObject? Extra { get; init; }

    /// <summary>This metadata completed by <paramref name="other"/> where this one does not know a field.</summary>
    public ModelMetadata CompletedBy(ModelMetadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var extra = Extra?.DeepClone().AsObject() ?? [];
        foreach (var (key, value) in other.Extra ?? [])
        {
            if (!extra.ContainsKey(key))
                extra[key] = value?.DeepClone();
        }
        return this with
        {
            Family = Family ?? other.Family,
            Architecture = Architecture ?? other.Architecture,
            ParameterCount = ParameterCount ?? other.ParameterCount,
            Source = Source ?? other.Source,
            CreatedAt = CreatedAt ?? other.CreatedAt,
            Extra = extra.Count > 0 ? extra : null,
        };
    }
}
