using System.CommandLine;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap bench ...</c>: the parent of the benchmark verbs. Each benchmark lives in its own file and is
/// listed here (add one line per subcommand).
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: time the engine on this machine next to the Python reference.");
        foreach (var subcommand in new Command[]
        {
            BenchMapCommand.Create(),
            BenchScoringCommand.Create(),
            BenchLoadCommand.Create(),
            BenchNeighboursCommand.Create(),
            BenchWebStoreCommand.Create(),
        })
        {
            command.Subcommands.Add(subcommand);
        }

        return command;
    }
}
