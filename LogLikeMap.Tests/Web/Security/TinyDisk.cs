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
            throw new InvalidOperationException($"Could not mount a tmpfs on {Folder}; these tests need root with CAP_SYS_ADMIN.");
        }
    }

    public string Folder { get; }

    /// <summary>Whether this process may mount a tmpfs (root in a container that allows it).</summary>
    public static bool CanMount { get; } = ProbeMount();

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

    private static bool ProbeMount()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return false;
        try
        {
            using var probe = new TinyDisk(1 << 16);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static int Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

/// <summary>A test on a real full disk: skipped, saying why, where this process may not mount a tmpfs.</summary>
public sealed class TinyDiskFactAttribute : FactAttribute
{
    public TinyDiskFactAttribute()
    {
        if (!TinyDisk.CanMount)
            Skip = "Needs root with CAP_SYS_ADMIN to mount a small tmpfs as a full disk.";
    }
}
