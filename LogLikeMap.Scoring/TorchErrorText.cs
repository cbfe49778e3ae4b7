using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace LogLikeMap.Scoring;

/// <summary>
/// Turns libtorch's native errors into what happened and what to do. TorchSharp rethrows them as
/// <see cref="ExternalException"/> carrying libtorch's whole <c>what()</c>: an <c>[enforce fail at alloc_cpu.cpp:127]</c>
/// or <c>c10::Error</c> line, then "Exception raised from ..." and a stack of <c>frame #N: c10::...</c> lines that say
/// nothing to a user.
/// </summary>
public static partial class TorchErrorText
{
    /// <summary>Whether the exception is libtorch's own, raised from native code.</summary>
    public static bool IsNative(Exception e) =>
        e is ExternalException && (e.Message.Contains("frame #", StringComparison.Ordinal)
                                   || e.Message.Contains("c10::", StringComparison.Ordinal)
                                   || e.Message.Contains("enforce fail", StringComparison.Ordinal)
                                   || e.Message.Contains("Exception raised from", StringComparison.Ordinal));

    /// <summary>The message's first line without libtorch's source location, its "Exception raised from" tail or its frames.</summary>
    public static string FirstLine(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var line = e.Message.Split('\n', 2)[0];
        line = SourceLocation().Replace(line, "");
        var raised = line.IndexOf("Exception raised from", StringComparison.Ordinal);
        if (raised >= 0)
            line = line[..raised];
        return line.Trim().TrimStart('.').Trim().TrimEnd('.');
    }

    /// <summary>
    /// What happened while <paramref name="doing"/> (e.g. "while scoring the model"), and what to do: an allocation
    /// that failed says how much was asked for; anything else gives libtorch's first line and the likely cause.
    /// </summary>
    public static string Describe(Exception e, string doing)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e.Message;
        var bytes = AllocationSize().Match(message);
        if (bytes.Success || message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            var size = bytes.Success && double.TryParse(bytes.Groups["bytes"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
                ? $" {b / 1e9:0.###} GB more" : " more";
            var where = message.Contains("CUDA", StringComparison.Ordinal) ? "The GPU" : "The server";
            return $"{where} ran out of memory {doing}: libtorch could not allocate{size}. Score the model in bfloat16 " +
                   "(half the memory of float32), lower the tokens per batch, or use a machine with more memory.";
        }
        return $"libtorch stopped {doing}: {FirstLine(e)}. This usually means the weights do not fit the architecture " +
               "config.json names; check that config.json and the weights were saved together by transformers.";
    }

    /// <summary>libtorch's "[enforce fail at alloc_cpu.cpp:127] " and "(at ../c10/core/...:12)" markers.</summary>
    [GeneratedRegex(@"\[enforce fail at [^\]]*\]\s*|\s*\(at [^)]*\)")]
    private static partial Regex SourceLocation();

    /// <summary>"you tried to allocate 192000000000 bytes" (CPU allocator).</summary>
    [GeneratedRegex(@"allocate (?<bytes>\d+) bytes")]
    private static partial Regex AllocationSize();
}
