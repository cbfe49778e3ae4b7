using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Analysis;

public static class AnalysisRegistration
{
    /// <summary>What the map's analyses need: the KL intervals of the neighbour lists.</summary>
    public static IHostApplicationBuilder AddAnalysis(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<KlIntervals>();
        return builder;
    }
}
