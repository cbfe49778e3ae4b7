using LogLikeMap.Web.Services;

namespace LogLikeMap.Web.Analysis;

public static class AnalysisRegistration
{
    /// <summary>
    /// What the map's analyses need: the KL intervals of the neighbour lists, the benchmark scores, the findings cached
    /// per map snapshot and their background refresh (options "Analysis", validated at start).
    /// </summary>
    public static IHostApplicationBuilder AddAnalysis(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AnalysisOptions>().Bind(builder.Configuration.GetSection(AnalysisOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<KlIntervals>();
        builder.Services.AddSingleton<BenchmarkScores>();
        builder.Services.AddSingleton<MapAnalysis>();
        builder.Services.AddSingleton<AnalysisRefresh>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AnalysisRefresh>());
        return builder;
    }
}
