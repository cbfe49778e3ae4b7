using System.ComponentModel.DataAnnotations;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Store;
using LogLikeMap.Web.Options;

namespace LogLikeMap.Web.Services;

public static class MapServiceRegistration
{
    /// <summary>The data options and the store (<see cref="AddStore"/>), the in-memory map and its loading at start.</summary>
    public static IHostApplicationBuilder AddModelMap(this IHostApplicationBuilder builder)
    {
        builder.AddStore();
        builder.Services.AddSingleton<ModelMapService>();
        builder.Services.AddSingleton<IModelMapService>(sp => sp.GetRequiredService<ModelMapService>());
        builder.Services.AddSingleton<MapMaintenance>();
        builder.Services.AddSingleton<IModelRemoval>(sp => sp.GetRequiredService<MapMaintenance>());
        builder.Services.AddSingleton<ITextSetService, TextSetService>();
        builder.Services.AddHostedService<MapStartup>();
        return builder;
    }

    /// <summary>The data options (validated here, at start), the data folders and the store: all a scoring worker needs of them.</summary>
    public static IHostApplicationBuilder AddStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Read now, not through IOptions: the store's factory is built while services are registered.
        var options = builder.Configuration.GetSection(DataOptions.Section).Get<DataOptions>() ?? new DataOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        if (options.Database == StoreProvider.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new InvalidOperationException("Data:Database is PostgreSql but Data:ConnectionString is empty; give the PostgreSQL connection string.");
        var paths = new DataPaths(options, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(paths);
        builder.Services.AddLogLikeMapStore(new StoreOptions
        {
            Provider = options.Database,
            ConnectionString = options.ConnectionString ?? $"Data Source={paths.SqliteDatabase}",
        });
        return builder;
    }
}
