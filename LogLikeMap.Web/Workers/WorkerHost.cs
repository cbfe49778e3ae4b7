namespace LogLikeMap.Web.Workers;

/// <summary>
/// A scoring worker as a process of its own (issue 12): the app with Jobs:Roles=Worker, built by the web project's entry
/// point and by <c>loglikemap worker</c>. It serves /healthz only.
/// </summary>
public static class WorkerHost
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddScoringWorker();
        var worker = builder.Build();
        worker.MapGet("/healthz", () => "ok");
        return worker;
    }
}
