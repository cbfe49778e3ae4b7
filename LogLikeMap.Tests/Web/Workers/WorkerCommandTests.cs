using LogLikeMap.Cli.Commands;

namespace LogLikeMap.Tests.Web.Workers;

/// <summary><c>loglikemap worker</c>'s command line: what it sets for the app, and the values it refuses with a reason.</summary>
public sealed class WorkerCommandTests
{
    [Fact]
    public void A_gpu_worker_with_its_cpu_share_scores_on_that_gpu_and_thread_count_over_the_shared_store()
    {
        var parse = WorkerCommand.Create().Parse(["--connection", "Host=db;Database=maps", "--device", "cuda:3", "--threads", "2", "--data", "cache"]);

        Assert.Empty(parse.Errors);
        var settings = WorkerCommand.Settings(parse);
        Assert.Equal("Worker", settings["Jobs:Roles"]);
        Assert.Equal("Cuda", settings["Jobs:ScoringDevice"]);
        Assert.Equal("3", settings["Jobs:ScoringDeviceIndex"]);
        Assert.Equal("2", settings["Jobs:ScoringThreads"]);
        Assert.Equal("PostgreSql", settings["Jobs:Storage"]);
        Assert.Equal("Host=db;Database=maps", settings["Jobs:ConnectionString"]);
        Assert.Equal("Host=db;Database=maps", settings["Data:ConnectionString"]);
        Assert.Equal(Path.GetFullPath("cache"), settings["Data:Folder"]);
    }

    [Fact]
    public void Without_threads_a_cpu_worker_leaves_libtorch_every_core()
    {
        var settings = WorkerCommand.Settings(WorkerCommand.Create().Parse(["--connection", "Host=db"]));

        Assert.Equal("Cpu", settings["Jobs:ScoringDevice"]);
        Assert.False(settings.ContainsKey("Jobs:ScoringThreads"));
    }

    [Theory]
    [InlineData("--threads", "0", "--threads 0: give at least 1, or leave it out to use every core.")]
    [InlineData("--device", "gpu1", "--device gpu1: give cpu, or cuda:N with N the GPU's number (cuda:0 for the first).")]
    [InlineData("--queue", "map", "--queue map: a worker takes only the scoring queue; the map queue is the web app's.")]
    public void A_wrong_value_is_refused_with_what_to_give_instead(string option, string value, string message)
    {
        var parse = WorkerCommand.Create().Parse(["--connection", "Host=db", option, value]);

        Assert.Equal(message, Assert.Single(parse.Errors).Message);
    }
}
