using LogLikeMap.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogLikeMap.Store.Catalog;

public static class StoreServices
{
    /// <summary>
    /// Registers the store (<see cref="IDbContextFactory{StoreDbContext}"/> for the configured provider) and the
    /// catalog services over it, all singletons (they hold no state but the factory).
    /// </summary>
    public static IServiceCollection AddLogLikeMapStore(this IServiceCollection services, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => new StoreContextFactory(options, provider.GetService<ILoggerFactory>()));
        services.AddSingleton<IDbContextFactory<StoreDbContext>>(provider => provider.GetRequiredService<StoreContextFactory>());
        services.AddSingleton<TextSetCatalog>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<LayoutCatalog>();
        services.AddSingleton<MatrixImporter>();
        services.AddSingleton<MapFolderImporter>();
        services.AddSingleton<UploadStore>();
        services.AddSingleton<PartialScoreStore>();
        return services;
    }
}
