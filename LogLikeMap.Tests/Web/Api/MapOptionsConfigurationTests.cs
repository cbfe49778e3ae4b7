using LogLikeMap.Core.Map;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>The map's settings come from the configuration section "Map"; a setting out of range stops the app at start.</summary>
public sealed class MapOptionsConfigurationTests
{
    [Fact]
    public void Map_settings_are_read_from_configuration_and_one_out_of_range_is_refused_at_start_naming_it()
    {
        using (var configured = WebAppFactory.With(new Dictionary<string, string>
        {
            ["Map:ClipPercentile"] = "1.5",
            ["Map:Tsne:PlacementPerplexity"] = "7",
            ["Map:Tsne:Seed"] = "9",
        }))
        {
            var options = configured.Services.GetRequiredService<IOptions<MapOptions>>().Value;
            Assert.Equal((1.5, 7.0, 9, 30.0), (options.ClipPercentile, options.Tsne.PlacementPerplexity, options.Tsne.Seed, options.Tsne.Perplexity));
        }

        using var wrong = WebAppFactory.With(new Dictionary<string, string> { ["Map:ClipPercentile"] = "150" });
        var error = Assert.ThrowsAny<Exception>(() => wrong.CreateClient());
        var refused = Assert.IsType<OptionsValidationException>(error is AggregateException a ? a.Flatten().InnerExceptions[0] : error);
        Assert.Contains("'Map'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("clip percentile must lie between 0 and 100", refused.Message, StringComparison.Ordinal);
    }
}
