var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.Run();

// Exposed for WebApplicationFactory<Program> in the tests.
public partial class Program;
