using System.CommandLine;
using LogLikeMap.Cli.Commands;


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
})
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
