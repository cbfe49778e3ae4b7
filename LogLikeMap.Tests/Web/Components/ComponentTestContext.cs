using Bunit;
using LogLikeMap.Web.Components.Map;
using LogLikeMap.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using MudBlazor.Services;

namespace LogLikeMap.Tests.Web.Components;

/// <summary>
/// A bUnit context with MudBlazor's services and a loose JavaScript runtime (Plotly and MudBlazor call JS).
/// MudBlazor's services only dispose asynchronously, so the context is disposed through IAsyncLifetime.
/// </summary>
public abstract class ComponentTestContext : IAsyncLifetime
{
    protected ComponentTestContext()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
    }

    /// <summary>
    /// How long an assertion on an asynchronous re-render may wait. bUnit's default (1 s) is too short on the CI
    /// box (2 cores shared with other builds); a passing assertion returns as soon as it holds.
    /// </summary>
    protected static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(10);

    protected BunitContext Context { get; } = new();

    protected NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        File.Delete(FamilyColoursFile);
    }

    /// <summary>Where the map page keeps family colours in this test (a fresh file per test).</summary>
    protected string FamilyColoursFile { get; } = Path.Combine(Path.GetTempPath(), $"llm-family-colours-{Guid.NewGuid():N}.json");

    internal void UseServices(IModelMapService map, IUploadService? uploads = null, IJobMonitor? jobs = null)
    {
        Context.Services.AddSingleton(map);
        Context.Services.AddSingleton(uploads ?? new FakeUploadService(UploadResult.Refused("not used")));
        Context.Services.AddSingleton(jobs ?? new FakeJobMonitor());
        Context.Services.AddSingleton(new FamilyPalette(FamilyColoursFile, NullLogger<FamilyPalette>.Instance));
    }

    /// <summary>Renders a page under a MudPopoverProvider, as MainLayout does (selects and autocompletes need one).</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>()
        where TPage : IComponent =>
        Context.Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(1);
            builder.CloseComponent();
        }).FindComponent<TPage>();
}
