using LogLikeMap.Web.Api;
using LogLikeMap.Web.Services;

var builder = WebApplication.CreateBuilder(args);
builder.AddModelMap();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapModelsApi();
app.MapGet("/healthz", () => "ok");
app.Run();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
