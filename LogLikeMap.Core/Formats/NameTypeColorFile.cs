using LogLikeMap.Core.Formats.Pickles;

namespace LogLikeMap.Core.Formats;

/// <summary>An RGBA colour with components in [0, 1], as matplotlib writes them.</summary>
public readonly record struct RgbaColor(double R, double G, double B, double A)
{
    /// <summary>CSS/HTML form, e.g. "#d3d3d3" (alpha dropped when 1).</summary>
    public string ToHex()
    {
        static int Byte(double c) => (int)Math.Round(Math.Clamp(c, 0, 1) * 255);
        return A >= 1
            ? $"#{Byte(R):x2}{Byte(G):x2}{Byte(B):x2}"
            : $"#{Byte(R):x2}{Byte(G):x2}{Byte(B):x2}{Byte(A):x2}";
    }
}

/// <summary>One model of <c>name_type_color_1018.pkl</c>.</summary>
/// <param name="Name">Hugging Face id.</param>
/// <param name="Family">The family of the paper's Fig. 1 (<c>modeltype_fig1</c>: 11 families and "others").</param>
/// <param name="Color">Fig. 1's colour of that family.</param>
/// <param name="Architecture">The finer type of the paper's Table 7 (<c>modeltype_table7</c>), e.g. "qwen2".</param>
public sealed record ModelFamilyEntry(string Name, string Family, RgbaColor Color, string Architecture);

/// <summary>
/// Reads <c>name_type_color_1018.pkl</c>: a dict with <c>data_info</c> and <c>data</c>, a list of tuples
/// <c>(model_name, modeltype_fig1, (r, g, b, a), modeltype_table7)</c>. Colour components are Python floats or
/// numpy float64 scalars.
/// </summary>
public static class NameTypeColorFile
{
    public static IReadOnlyList<ModelFamilyEntry> Read(string path) => Interpret(RestrictedUnpickler.Load(path), path);

    public static IReadOnlyList<ModelFamilyEntry> Interpret(object? unpickled, string path)
    {
        if (unpickled is not PickleDict root || !root.TryGet("data", out var data) || data is not List<object?> rows)
            throw new InvalidDataException($"{path}: expected a dict with a 'data' list (the release's name_type_color pickle).");
        var entries = new List<ModelFamilyEntry>(rows.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, position) in rows.Select((row, i) => (row, i)))
        {
            if (row is not PickleTuple { Count: 4 } t
                || t[0] is not string name
                || t[1] is not string family
                || t[2] is not PickleTuple { Count: 4 } rgba
                || t[3] is not string architecture)
                throw new InvalidDataException($"{path}: entry {position} is not (model_name, modeltype_fig1, (r, g, b, a), modeltype_table7).");
            if (!seen.Add(name))
                throw new InvalidDataException($"{path}: model '{name}' appears twice.");
            var color = new RgbaColor(Component(rgba[0], name, path), Component(rgba[1], name, path),
                Component(rgba[2], name, path), Component(rgba[3], name, path));
            entries.Add(new ModelFamilyEntry(name, family, color, architecture));
        }
        return entries;
    }

    private static double Component(object? value, string name, string path) => value switch
    {
        double d when d is >= 0 and <= 1 => d,
        long n when n is 0 or 1 => n,
        _ => throw new InvalidDataException($"{path}: model '{name}' has a colour component '{value}' outside [0, 1]."),
    };
}
