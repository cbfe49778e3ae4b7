using System.CommandLine;
using System.Globalization;
using LogLikeMap.Web.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap worker --connection CONN --device cpu|cuda:N [--queue scoring] [--data FOLDER] [--urls URL]</c>: a
/// scoring worker for a web app over the same PostgreSQL database (issue 12), one process per GPU. It takes jobs from
/// the scoring queue until stopped (Ctrl+C, SIGTERM) and answers GET /healthz.
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var connection = new Option<string>("--connection")
        {
            Description = "The PostgreSQL connection string of the store and the job queue the web app uses.", Required = true,
        };
        var device = new Option<string>("--device") { Description = "cpu, or cuda:N for the N-th GPU.", DefaultValueFactory = _ => "cpu" };
        var queue = new Option<string>("--queue") { Description = "The queue to work: scoring (the only one a worker takes).", DefaultValueFactory = _ => "scoring" };
        var data = new Option<string>("--data") { Description = "This worker's local folder (checkpoint cache, job state).", DefaultValueFactory = _ => "data/worker" };
        var urls = new Option<string>("--urls") { Description = "Where /healthz answers.", DefaultValueFactory = _ => "http://0.0.0.0:8081" };
        var command = new Command("worker", "Score uploads queued by the web app, on this host's CPU or one GPU.") { connection, device, queue, data, urls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(queue) != "scoring")
            {
                Console.Error.WriteLine($"--queue {parse.GetValue(queue)}: a worker takes only the scoring queue; the map queue is the web app's.");
                return 2;
            }
            if (DeviceSettings(parse.GetValue(device)!) is not { } deviceSettings)
            {
                Console.Error.WriteLine($"--device {parse.GetValue(device)}: give cpu, or cuda:N with N the GPU's number (cuda:0 for the first).");
                return 2;
            }
            var settings = new Dictionary<string, string?>(deviceSettings)
            {
                ["Jobs:Roles"] = "Worker",
                ["Jobs:Storage"] = "PostgreSql",
                ["Jobs:ConnectionString"] = parse.GetValue(connection),
                ["Data:Database"] = "PostgreSql",
                ["Data:ConnectionString"] = parse.GetValue(connection),
                ["Data:Folder"] = Path.GetFullPath(parse.GetValue(data)!),
                ["urls"] = parse.GetValue(urls),
            };
            var builder = WebApplication.CreateBuilder();
            builder.Configuration.AddInMemoryCollection(settings);
            // IHost's RunAsync, which stops on the token (WebApplication's own RunAsync takes a URL).
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(WorkerHost.Build(builder), cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>The Jobs settings of a --device value; null when it is neither cpu nor cuda:N.</summary>
    internal static IReadOnlyDictionary<string, string?>? DeviceSettings(string device)
    {
        if (device == "cpu")
            return new Dictionary<string, string?> { ["Jobs:ScoringDevice"] = "Cpu" };
        if (device.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(device["cuda:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new Dictionary<string, string?> { ["Jobs:ScoringDevice"] = "Cuda", ["Jobs:ScoringDeviceIndex"] = index.ToString(CultureInfo.InvariantCulture) };
        }
        return null;
    }
}
