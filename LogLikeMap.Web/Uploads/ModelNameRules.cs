namespace LogLikeMap.Web.Uploads;

/// <summary>
/// What an uploaded model may be called: the upload page checks it as the user types and <see cref="UploadService"/>
/// on every upload (the API too), so both refuse the same names in the same words. Names are Hugging Face ids: they
/// travel in URLs (<c>/api/models/{name}</c>, '/' escaped as %2F) and in file names, hence the narrow alphabet.
/// </summary>
public static class ModelNameRules
{
    public const int MaxNameLength = 200;
    public const int MaxFamilyLength = 64;

    /// <summary>Letters, digits, '-', '_', '.', and one optional "owner/" prefix; null when the name is fine.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "Give the model a name, e.g. \"my-org/gpt2-finetuned\".";
        if (name.Length > MaxNameLength)
            return $"The name is {name.Length} characters long; keep it to {MaxNameLength}.";
        if (name.Count(c => c == '/') > 1 || name.StartsWith('/') || name.EndsWith('/')
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
            return "Use letters, digits, '-', '_' and '.', with at most one '/' between an owner and a name.";
        // "..", ".hidden": names end up in file names, so every part starts with a letter or digit.
        if (name.Split('/').Any(part => !char.IsAsciiLetterOrDigit(part[0])))
            return "Start the name, and the part after '/', with a letter or digit.";
        return null;
    }

    /// <summary>Any short label without control characters (the map's legend shows it); null when it is fine.</summary>
    public static string? FamilyProblem(string? family)
    {
        if (string.IsNullOrWhiteSpace(family))
            return "Give a family (e.g. \"gpt2\", \"llama-3\"): the map colours models by it.";
        if (family.Length > MaxFamilyLength)
            return $"The family is {family.Length} characters long; keep it to {MaxFamilyLength}.";
        if (family.Any(char.IsControl))
            return "The family holds a control character (a line break or tab); give it on one line.";
        // Format characters (Unicode category Cf) are invisible: bidi controls such as U+202E turn the legend and the hover
        // card around, zero-width ones make two families that look alike.
        if (family.Any(c => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
            return "The family holds an invisible formatting character (a text-direction mark or a zero-width character); type it again without pasting.";
        return null;
    }

    public static string AlreadyOnMap(string name) =>
        $"A model named \"{name}\" is already on the map; choose another name or delete that model first.";
}
