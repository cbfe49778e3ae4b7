using System.ComponentModel.DataAnnotations;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Store;
using LogLikeMap.Web.Options;
using LogLikeMap.Core.Map;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Services;

public static class MapServiceRegistration
{
    /// <summary>The configuration section bound to <see cref="MapOptions"/>.</summary>
    public const string MapOptionsSection = "Map";

    /// <summary>The data options and the store (<see cref="AddStore"/>), the map's settings, the in-memory map and its loading at start.</summary>
    public static IHostApplicationBuilder AddModelMap(this IHostApplicationBuilder builder)
    {
        builder.AddStore();
        // The layout's settings (clip percentile, t-SNE, placement); every default is the paper's (docs/method.md §1.3, §2).
        builder.Services.AddOptions<MapOptions>().Bind(builder.Configuration.GetSection(MapOptionsSection)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MapOptions>, MapOptionsValidation>();
        builder.Services.AddSingleton<ModelMapService>();
        builder.Services.AddSingleton<IModelMapService>(sp => sp.GetRequiredService<ModelMapService>());
        builder.Services.AddSingleton<MapMaintenance>();
        builder.Services.AddSingleton<IModelRemoval>(sp => sp.GetRequiredService<MapMaintenance>());
        builder.Services.AddSingleton<ITextSetService, TextSetService>();
        builder.Services.AddHostedService<MapStartup>();
        builder.Services.AddSingleton(sp => new Components.Map.FamilyPalette(
            Path.Combine(sp.GetRequiredService<DataPaths>().DataFolder, Components.Map.FamilyPalette.FileName),
            sp.GetRequiredService<ILogger<Components.Map.FamilyPalette>>()));
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

    /// <summary>Map settings out of range stop the app at start, saying which one and why.</summary>
    private sealed class MapOptionsValidation : IValidateOptions<MapOptions>
    {
        public ValidateOptionsResult Validate(string? name, MapOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail($"Configuration section '{MapOptionsSection}': {e.Message}");
            }
        }
    }
}
