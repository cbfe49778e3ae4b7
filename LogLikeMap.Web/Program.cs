using LogLikeMap.Web.Analysis;
using LogLikeMap.Web.Api;
using LogLikeMap.Web.Components;
using LogLikeMap.Web.Hosting;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;
using LogLikeMap.Web.Workers;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
var roles = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>()?.Roles ?? JobsOptions.Default.Roles;
if (!roles.HasFlag(JobRoles.Web))
{
    // A scoring worker (Jobs:Roles=Worker, one process per GPU): the scoring queue and a health endpoint, nothing else.
    WorkerHost.Build(builder).Run();
    return;
}

// `dotnet run` serves the package assets (_framework/blazor.web.js, _content/MudBlazor) from the build's manifest in
// every environment, not only Development; a published app has them in wwwroot and no manifest, so this does nothing.
builder.WebHost.UseStaticWebAssets();
builder.AddModelMap();
builder.AddJobs();
builder.Services.AddSingleton<CheckpointCache>();
builder.AddAdminSecurity();
builder.AddUploads();
builder.AddAnalysis();
builder.AddCleanShutdown();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

// User interface: Blazor Server components with MudBlazor.
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddCascadingAuthenticationState();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseSameOriginChanges();
app.UseAuthorization();
app.UseAntiforgery();
app.UseRateLimiter();

app.MapStaticAssets();
app.MapOpenApi();
app.MapModelsApi();
app.MapTextsApi();
app.MapMapAdminApi();
app.MapUploadsApi();
app.MapExportsApi();
app.MapAnalysisApi();
app.MapInterpolationApi();
app.MapFindingsApi();
app.MapAccountApi();
app.MapJobsDashboard();
app.MapGet("/healthz", () => "ok");
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunUntilStoppedAsync();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
