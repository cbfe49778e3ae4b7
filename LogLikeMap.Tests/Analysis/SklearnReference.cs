using System.Globalization;

namespace LogLikeMap.Tests.Analysis;

/// <summary>
/// The fixtures bench/prediction_reference.py wrote with Debian's numpy 1.24 and scikit-learn 1.2 (GroupKFold's
/// shuffle re-implemented there from scikit-learn 1.6's source, which 1.2 lacks) into TestData/Analysis/sklearn-reference.
/// </summary>
internal static class SklearnReference
{
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Analysis", "sklearn-reference", name);

    public sealed record Row(string Cv, string Target, int Seed, int Fold, string Model, double True, double Predicted, double Alpha);

    /// <summary>The rows of a *_predictions.csv (model names hold no comma).</summary>
    public static IReadOnlyList<Row> Predictions(string name) =>
        [.. System.IO.File.ReadLines(File(name)).Skip(1).Select(line => line.Split(',')).Select(f => new Row(
            f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), f[4],
            double.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture),
            double.Parse(f[7], CultureInfo.InvariantCulture)))];
}
