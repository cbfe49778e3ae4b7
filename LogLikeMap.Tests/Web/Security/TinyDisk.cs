using System.Diagnostics;

namespace LogLikeMap.Tests.Web.Security;

/// <summary>
/// A real small disk: a tmpfs of a few megabytes mounted on a fresh folder, which <see cref="Fill"/> fills to the last
/// byte so that every write fails with ENOSPC, as on a full data disk. Mounting needs root with CAP_SYS_ADMIN.
/// </summary>
public sealed class TinyDisk : IDisposable
{
    private readonly List<string> _fillers = [];

    public TinyDisk(long bytes)
    {
        Folder = Directory.CreateTempSubdirectory("loglikemap-tinydisk-").FullName;
        if (Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", Folder) != 0)
        {
            Directory.Delete(Folder);
            throw new InvalidOperationException($"Could not mount a tmpfs on {Folder}; the full-disk tests need root with CAP_SYS_ADMIN (as .ci/run has).");
        }
    }

    public string Folder { get; }

    /// <summary>Writes filler until the disk refuses even one more byte.</summary>
    public void Fill()
    {
        var filler = Path.Combine(Folder, $"filler-{_fillers.Count}");
        _fillers.Add(filler);
        using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var chunk in new[] { 1 << 20, 1 << 12, 1 })
        {
            var buffer = new byte[chunk];
            try
            {
                while (true)
                    stream.Write(buffer);
            }
            catch (IOException)
            {
                // Full at this chunk size; go on with smaller ones.
            }
        }
    }

    /// <summary>Gives back what <see cref="Fill"/> took.</summary>
    public void Free()
    {
        foreach (var filler in _fillers)
            File.Delete(filler);
        _fillers.Clear();
    }

    public void Dispose()
    {
        // Lazily: an app that has just stopped may still hold a file open for a moment.
        Run("umount", "-l", Folder);
        Directory.Delete(Folder, recursive: true);
    }

    private static int Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

