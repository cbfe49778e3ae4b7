using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LogLikeMap.Tests.Web.Workers;

/// <summary>
/// A real PostgreSQL server for the tests that need one (issue 12): the server named by the connection string in
/// LOGLIKEMAP_TEST_POSTGRES (`.ci/run` starts one on port 55432), or else one this fixture starts itself from Debian's
/// `postgresql` package (initdb and pg_ctl from /usr/lib/postgresql/*/bin) in a temporary folder on a free local port,
/// stopped when the fixture is disposed. Each test takes a database of its own (<see cref="CreateDatabaseAsync"/>), so
/// tests never share state.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "LOGLIKEMAP_TEST_POSTGRES";

    private string? _folder;

    /// <summary>A connection string for the server's maintenance database, as a superuser.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            AdminConnectionString = configured;
            return;
        }
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                $"These tests need PostgreSQL: set {EnvironmentVariable} to a server's connection string, or install Debian's postgresql " +
                "package (apt-get install postgresql), whose initdb and pg_ctl the tests then run themselves; .ci/run does the latter.");
        }
        _folder = Directory.CreateTempSubdirectory("loglikemap-postgres-").FullName;
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
            await RunAsync("chown", ["-R", "postgres:postgres", _folder]);
        var data = Path.Combine(_folder, "data");
        await RunPostgresAsync(asRoot, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
        await RunPostgresAsync(asRoot, Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-o", $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>A fresh, empty database on the server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "loglikemap_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    /// <summary>
    /// Cuts one database off, as a network or server outage would for its clients: its sessions are ended and new
    /// ones refused (ALLOW_CONNECTIONS false, the same for superusers) until the result is disposed. Other databases
    /// on the server, and so other tests, keep running.
    /// </summary>
    public async Task<IAsyncDisposable> CutOffAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await AdminAsync($"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false");
        await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()");
        return new Restore(() => AdminAsync($"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"));
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }

    public async Task DisposeAsync()
    {
        if (_folder is null)
            return;
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Order().Last();
        await RunPostgresAsync(Environment.UserName == "root", Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"]);
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user the package creates.</summary>
    private static Task RunPostgresAsync(bool asRoot, string program, IReadOnlyList<string> arguments) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }
}

/// <summary>The tests that share one PostgreSQL server (each in a database of its own).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
