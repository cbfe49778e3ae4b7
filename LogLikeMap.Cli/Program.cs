using System.CommandLine;
using LogLikeMap.Cli.Commands;

namespace LogLikeMap.Cli;

/// <summary>
/// The entry point, as a class of its own name rather than top-level statements: the CLI references the web project
/// (for `worker` and `queue`), and ASP.NET Core makes a top-level program's class a public `Program`, which would clash
/// with the web app's own in the tests.
/// </summary>
internal static class LogLikeMapCommandLine
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("loglikemap: map language models by their log-likelihood vectors (Oyama et al., ACL 2025).");
        // One line per verb; each verb lives in its own file under Commands/.
        foreach (var command in new Command[]
        {
            MapCommand.Create(),
            ScoreCommand.Create(),
            BenchCommand.Create(),
            ImportCommand.Create(),
            ExportCommand.Create(),
            TextSetCommand.Create(),
            ZooCommand.Create(),
            PredictCommand.Create(),
            WorkerCommand.Create(),
            QueueCommand.Create(),
        })
        {
            root.Subcommands.Add(command);
        }

        return await root.Parse(args).InvokeAsync();
    }
}
