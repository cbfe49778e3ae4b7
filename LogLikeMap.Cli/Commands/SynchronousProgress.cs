namespace LogLikeMap.Cli.Commands;

/// <summary>
/// Reports on the caller's thread as it happens; <see cref="Progress{T}"/> would post reports to the thread pool,
/// so lines could print out of order or after the command has finished.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
