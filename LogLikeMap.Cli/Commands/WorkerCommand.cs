using System.CommandLine;
using System.Globalization;
using LogLikeMap.Web.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap worker --connection CONN --device cpu|cuda:N [--threads N] [--queue scoring] [--data FOLDER] [--urls URL]</c>:
/// a scoring worker for a web app over the same PostgreSQL database (issue 12), one process per GPU. It takes jobs from
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
        device.Validators.Add(result =>
        {
            if (DeviceSettings(result.GetValueOrDefault<string>()) is null)
                result.AddError($"--device {result.GetValueOrDefault<string>()}: give cpu, or cuda:N with N the GPU's number (cuda:0 for the first).");
        });
        var threads = new Option<int?>("--threads")
        {
            Description = "libtorch CPU threads for scoring (all cores by default); with several CPU workers on one host, give each its share.",
        };
        threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 and var count)
                result.AddError($"--threads {count}: give at least 1, or leave it out to use every core.");
        });
        var queue = new Option<string>("--queue") { Description = "The queue to work: scoring (the only one a worker takes).", DefaultValueFactory = _ => "scoring" };
        queue.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() != "scoring")
                result.AddError($"--queue {result.GetValueOrDefault<string>()}: a worker takes only the scoring queue; the map queue is the web app's.");
        });
        var data = new Option<string>("--data") { Description = "This worker's local folder (checkpoint cache, job state).", DefaultValueFactory = _ => "data/worker" };
        var urls = new Option<string>("--urls") { Description = "Where /healthz answers.", DefaultValueFactory = _ => "http://0.0.0.0:8081" };
        var command = new Command("worker", "Score uploads queued by the web app, on this host's CPU or one GPU.") { connection, device, threads, queue, data, urls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration.AddInMemoryCollection(Settings(parse));
            // IHost's RunAsync, which stops on the token (WebApplication's own RunAsync takes a URL).
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(WorkerHost.Build(builder), cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>The app's configuration for a parsed (and valid) <c>worker</c> command line.</summary>
    public static IReadOnlyDictionary<string, string?> Settings(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var connection = parse.GetValue<string>("--connection");
        var settings = new Dictionary<string, string?>(DeviceSettings(parse.GetValue<string>("--device"))!)
        {
            ["Jobs:Roles"] = "Worker",
            ["Jobs:Storage"] = "PostgreSql",
            ["Jobs:ConnectionString"] = connection,
            ["Data:Database"] = "PostgreSql",
            ["Data:ConnectionString"] = connection,
            ["Data:Folder"] = Path.GetFullPath(parse.GetValue<string>("--data")!),
            ["urls"] = parse.GetValue<string>("--urls"),
        };
        if (parse.GetValue<int?>("--threads") is { } threads)
            settings["Jobs:ScoringThreads"] = threads.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>The Jobs settings of a --device value; null when it is neither cpu nor cuda:N.</summary>
    private static Dictionary<string, string?>? DeviceSettings(string? device)
    {
        if (device == "cpu")
            return new Dictionary<string, string?> { ["Jobs:ScoringDevice"] = "Cpu" };
        if (device is not null && device.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(device["cuda:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new Dictionary<string, string?> { ["Jobs:ScoringDevice"] = "Cuda", ["Jobs:ScoringDeviceIndex"] = index.ToString(CultureInfo.InvariantCulture) };
        }
        return null;
    }
}
