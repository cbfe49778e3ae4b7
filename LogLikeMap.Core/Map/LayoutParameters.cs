using System.Text.Json;
using System.Text.Json.Serialization;

namespace LogLikeMap.Core.Map;

/// <summary>
/// What a full layout was computed with, stored beside it (the web app, <c>bench web-store</c> and
/// <c>loglikemap map</c>'s summary write this one record). The clip threshold and column means the layout produced
/// are stored as values of their own: they are reused, never recomputed from these parameters (docs/method.md §1.3).
/// </summary>
public sealed record LayoutParameters
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The percentile the clip threshold was taken at (paper: 2).</summary>
    public double ClipPercentile { get; init; } = 2;

    /// <summary>The t-SNE perplexity asked for (a small map uses less, <see cref="TsneOptions.PerplexityFor"/>).</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>t-SNE iterations; 0 for a layout that t-SNE did not compute (a synthetic benchmark's).</summary>
    public int Iterations { get; init; } = 1000;

    public int Seed { get; init; } = 42;

    public TsneInitialisation Initialisation { get; init; } = TsneInitialisation.Pca;

    /// <summary>The parameters of a layout computed with <paramref name="options"/>.</summary>
    public static LayoutParameters Of(MapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LayoutParameters
        {
            ClipPercentile = options.ClipPercentile,
            Perplexity = options.Tsne.Perplexity,
            Iterations = options.Tsne.Iterations,
            Seed = options.Tsne.Seed,
            Initialisation = options.Tsne.Initialisation,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads stored parameters; fields a layout stored by another tool leaves out keep their defaults (the paper's).</summary>
    public static LayoutParameters FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<LayoutParameters>(json, Json)
                ?? throw new InvalidDataException("The stored layout parameters are 'null'; refresh the map to compute a new layout.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The stored layout parameters are not valid JSON ({e.Message}); refresh the map to compute a new layout.", e);
        }
    }
}
