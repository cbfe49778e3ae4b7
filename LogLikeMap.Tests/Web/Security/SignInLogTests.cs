using System.Collections.Concurrent;
using LogLikeMap.Tests.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace LogLikeMap.Tests.Web.Security;

/// <summary>Guessing the password leaves a trace in the server's log, and a forged user name cannot write lines of its own there.</summary>
public sealed class SignInLogTests
{
    [Fact]
    public async Task Failed_and_throttled_sign_ins_are_logged_with_the_name_on_one_line()
    {
        var logged = new ConcurrentQueue<(LogLevel Level, string Message)>();
        using var app = new WebAppFactory();
        using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("Security:SignInAttemptsPerMinute", "2")
            .ConfigureLogging(logging => logging.AddProvider(new Collecting(logged))));

        (await AdminSignIn.PostSignInAsync(limited, "admin", "guess one")).Dispose();
        (await AdminSignIn.PostSignInAsync(limited, "admin\nINFO admin signed in", "guess two")).Dispose();
        (await AdminSignIn.PostSignInAsync(limited, "admin", WebAppFactory.AdminPassword)).Dispose();

        var warnings = logged.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();
        Assert.Contains(warnings, m => m.StartsWith("Failed sign-in as admin from ", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.StartsWith("Failed sign-in as admin?INFO admin signed in from ", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.StartsWith("Sign-in from ", StringComparison.Ordinal) && m.EndsWith(" refused unchecked: more than 2 attempts in a minute.", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, m => m.Contains('\n', StringComparison.Ordinal));
        // The right password came after the limit: it was not even checked, so no one signed in.
        Assert.DoesNotContain(logged, l => l.Message.StartsWith("admin signed in from ", StringComparison.Ordinal));
    }

    private sealed class Collecting(ConcurrentQueue<(LogLevel, string)> logged) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logged);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel, string)> logged) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    logged.Enqueue((logLevel, formatter(state, exception)));
            }
        }
    }
}
