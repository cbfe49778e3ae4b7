namespace LogLikeMap.Tests.PaperData;

/// <summary>
/// The copies of the paper-format files under TestData/paper-data. The numbers the tests compare with were printed
/// by TestData/paper-data/make_fixtures.py (Python 3.11 + numpy 1.24) into make_fixtures.out.txt.
/// </summary>
internal static class PaperDataFiles
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "paper-data");

    public static string File(string name) => Path.Combine(Folder, name);

    public static string Generated(string name) => Path.Combine(Folder, "generated", name);

    public static string SampleMatrix => File("sample_raw_log-likelihood.pkl");

    public static string SampleModelData => File("sample_model-data.pkl");

    public static string NameTypeColor => File("name_type_color_1018.pkl");

    public static string SampleTexts => File("sample_texts.jsonl");

    /// <summary>The 1,018 Hugging Face ids of models_1018.yaml (lines "- org/name").</summary>
    public static IReadOnlyList<string> Models1018() =>
        [.. System.IO.File.ReadLines(File("models_1018.yaml")).Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..].Trim())];
}
