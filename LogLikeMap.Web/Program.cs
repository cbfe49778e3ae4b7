using LogLikeMap.Web.Components;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

// User interface: Blazor Server components with MudBlazor.
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddCascadingAuthenticationState();

var app = builder.Build();

app.UseAntiforgery();

app.MapStaticAssets();
app.MapGet("/healthz", () => "ok");
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
