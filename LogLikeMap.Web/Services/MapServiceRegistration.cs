using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Services;

public static class MapServiceRegistration
{
    /// <summary>Options, the in-memory map and its loading at start.</summary>
    public static IHostApplicationBuilder AddModelMap(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DataOptions>()
            .Bind(builder.Configuration.GetSection(DataOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<DataPaths>();
        builder.Services.AddSingleton<ModelMapService>();
        builder.Services.AddSingleton<IModelMapService>(sp => sp.GetRequiredService<ModelMapService>());
        builder.Services.AddSingleton<MapMaintenance>();
        builder.Services.AddHostedService<MapStartup>();
        return builder;
    }
}
