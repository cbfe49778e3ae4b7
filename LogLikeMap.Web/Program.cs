using LogLikeMap.Web.Api;
using LogLikeMap.Web.Jobs;
using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;

var builder = WebApplication.CreateBuilder(args);
builder.AddModelMap();
builder.AddJobs();
builder.AddAdminSecurity();
builder.AddUploads();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapOpenApi();
app.MapModelsApi();
app.MapMapAdminApi();
app.MapUploadsApi();
app.MapAccountApi();
app.MapJobsDashboard();
app.MapGet("/healthz", () => "ok");
app.Run();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
