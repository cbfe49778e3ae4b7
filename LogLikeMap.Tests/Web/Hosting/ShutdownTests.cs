using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using LogLikeMap.Tests.Web.Api;

namespace LogLikeMap.Tests.Web.Hosting;

/// <summary>
/// The app as an operator runs it (its own process, SQLite job storage), stopped by SIGTERM as docker or systemd stop
/// it: it must end within a few seconds, with exit code 0 and no unhandled exception in its output.
/// </summary>
public sealed class ShutdownTests : IDisposable
{
    /// <summary>The app's budget is 3 s (CleanShutdown.Budget); the rest is process exit on a loaded 2-core box.</summary>
    private static readonly TimeSpan StopsWithin = TimeSpan.FromSeconds(6);

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("loglikemap-shutdown-");

    public void Dispose() => _data.Delete(recursive: true);

    [Fact]
    public async Task SIGTERM_with_a_request_still_sending_its_body_stops_cleanly_within_seconds()
    {
        using var app = new AppProcess(_data.FullName);
        var port = await app.WaitForListeningAsync();

        // A client in the middle of a POST (an upload in progress): Kestrel would wait for it for the host's whole
        // 30 s, and the Hangfire servers stopped after it would then find their time gone and throw.
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /account/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
            "Content-Length: 1000000\r\n\r\nusername=admin&password="));
        await stream.FlushAsync();
        await Task.Delay(500);

        var (elapsed, exitCode, output) = await app.TerminateAsync();

        AssertStoppedCleanly(elapsed, exitCode, output);
    }

    [Fact]
    public async Task SIGTERM_while_the_map_is_still_loading_stops_cleanly()
    {
        using var app = new AppProcess(_data.FullName);
        // The first line comes from the map's loading, before the app answers: the stop cuts its start short.
        await app.WaitForOutputAsync("Seeded the empty store");

        var (elapsed, exitCode, output) = await app.TerminateAsync();

        AssertStoppedCleanly(elapsed, exitCode, output);
    }

    private static void AssertStoppedCleanly(TimeSpan elapsed, int exitCode, string output)
    {
        Assert.True(elapsed < StopsWithin, $"The app took {elapsed.TotalSeconds:0.0} s to stop.\n{output}");
        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{output}");
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("failed to stop", output, StringComparison.Ordinal);
    }

    /// <summary>LogLikeMap.Web.dll (copied beside the tests) run by dotnet on a free port with a fresh data folder.</summary>
    private sealed class AppProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly Lock _lock = new();

        public AppProcess(string dataFolder)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LogLikeMap.Web.dll"));
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Data__Folder"] = dataFolder;
            start.Environment["Data__DemoMapFolder"] = WebAppFactory.DemoMapFolder;
            start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_lock)
                    return _output.ToString();
            }
        }

        public async Task<string> WaitForOutputAsync(string text)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.False(_process.HasExited, $"The app ended before writing \"{text}\":\n{Output}");
                Assert.True(DateTime.UtcNow < deadline, $"The app did not write \"{text}\" within 2 minutes:\n{Output}");
                await Task.Delay(50);
            }
            return Output;
        }

        public async Task<int> WaitForListeningAsync()
        {
            const string listening = "Now listening on: http://127.0.0.1:";
            var output = await WaitForOutputAsync(listening);
            var digits = output[(output.IndexOf(listening, StringComparison.Ordinal) + listening.Length)..].TakeWhile(char.IsAsciiDigit);
            await WaitForOutputAsync("Application started");
            return int.Parse(string.Concat(digits), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Sends SIGTERM and waits for the exit (killing the app after 30 s so a failing test ends).</summary>
        public async Task<(TimeSpan Elapsed, int ExitCode, string Output)> TerminateAsync()
        {
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            var elapsed = clock.Elapsed;
            return (elapsed, _process.ExitCode, Output);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
                return;
            lock (_lock)
                _output.AppendLine(line);
        }
    }
}
