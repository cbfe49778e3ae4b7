using System.CommandLine;
using System.Globalization;
using System.Text;
using LogLikeMap.Core.Analysis;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.TextSets;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap textset resample</c>: a smaller text set drawn by the texts' variance across the current models (the
/// follow-up's length-squared rule, docs/method.md §5.1), and how well it keeps the full set's KL ranks and neighbours as
/// the number of texts falls.
/// </summary>
public static class TextSetResampleCommand
{
    public static Command Create()
    {
        var loglik = new Option<string>("--loglik") { Description = "The current models' log-likelihoods (any matrix file 'import' reads).", Required = true };
        var texts = new Option<string>("--texts") { Description = "The text set the matrix's columns are (paper JSON Lines).", Required = true };
        var by = new Option<TextSampling>("--by") { Description = "variance (the follow-up's rule) or uniform.", DefaultValueFactory = _ => TextSampling.Variance };
        var size = new Option<int>("--size") { Description = "Distinct texts to keep.", Required = true };
        var neighbours = new Option<int>("--neighbours") { Description = "k of the neighbour overlap.", DefaultValueFactory = _ => 10 };
        var seed = new Option<uint>("--seed") { Description = "Seed of the draws (numpy's RandomState).", DefaultValueFactory = _ => 42 };
        var clip = new Option<double>("--clip-percentile") { Description = "Global lower clip of L (percent).", DefaultValueFactory = _ => 2.0 };
        var output = new Option<string>("--out") { Description = "The reduced text set (paper JSON Lines); OUT.weights.csv and OUT.report.csv go beside it.", Required = true };

        var command = new Command("resample", "Keep fewer texts, drawn by their variance across the current models, and report how well KL and neighbours survive.")
        {
            loglik, texts, by, size, neighbours, seed, clip, output,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(loglik)!, parse.GetValue(texts)!, parse.GetValue(by), parse.GetValue(size), parse.GetValue(neighbours),
            parse.GetValue(seed), parse.GetValue(clip), parse.GetValue(output)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string loglikPath, string textsPath, TextSampling sampling, int size, int neighbours, uint seed, double clip, string outputPath,
        CancellationToken cancellationToken)
    {
        LoadedMatrix loaded;
        TextSet textSet;
        try
        {
            loaded = MatrixFiles.Load(loglikPath, cancellationToken);
            textSet = await TextSetFile.ReadAsync(textsPath, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException)
        {
            Console.Error.WriteLine($"Cannot read the input: {ex.Message}");
            return 2;
        }
        var textOf = textSet.Texts.ToDictionary(t => t.Index);
        var missing = loaded.TextIndices.Where(i => !textOf.ContainsKey(i)).Take(5).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"'{textsPath}' lacks text indices the matrix has ({string.Join(", ", missing)}); give the text set the models were scored on.");
            return 2;
        }

        IReadOnlyList<ResamplingAgreement> curve;
        ResampledTexts chosen;
        CentredLogLikelihoods q;
        try
        {
            q = CentredLogLikelihoods.FromMatrix(loaded.Matrix, clip);
            chosen = TextResampling.Draw(TextResampling.Probabilities(q, sampling), size, seed);
            curve = TextResampling.Curve(q, size, neighbours, seed, cancellationToken);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Cannot resample: {ex.Message}");
            return 2;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        await TextSetFile.WriteAsync(outputPath, chosen.Columns.Select(c => textOf[loaded.TextIndices[c]]), cancellationToken);
        var weights = new StringBuilder("index,count,weight\n");
        for (var t = 0; t < chosen.Columns.Length; t++)
            weights.Append(CultureInfo.InvariantCulture, $"{loaded.TextIndices[chosen.Columns[t]]},{chosen.Counts[t]},{chosen.Weights[t]:R}\n");
        await File.WriteAllTextAsync(outputPath + ".weights.csv", weights.ToString(), cancellationToken);

        var report = new StringBuilder("sampling,texts,draws,kl_spearman,neighbour_overlap\n");
        Console.WriteLine($"{loaded.Matrix.ModelCount} models, {q.TextCount} texts; agreement with the full set (k = {neighbours}):");
        Console.WriteLine($"{"sampling",-9} {"texts",6} {"draws",7} {"KL rho",8} {"k-NN overlap",13}");
        foreach (var row in curve)
        {
            report.Append(CultureInfo.InvariantCulture, $"{row.Sampling.ToString().ToLowerInvariant()},{row.Texts},{row.Draws},{row.KlSpearman:R},{row.NeighbourOverlap:R}\n");
            Console.WriteLine(FormattableString.Invariant($"{row.Sampling.ToString().ToLowerInvariant(),-9} {row.Texts,6} {row.Draws,7} {row.KlSpearman,8:F4} {row.NeighbourOverlap,13:F3}"));
        }
        await File.WriteAllTextAsync(outputPath + ".report.csv", report.ToString(), cancellationToken);
        Console.Error.WriteLine($"Wrote {chosen.Columns.Length} texts to '{outputPath}' (drawn {chosen.Draws} times), their weights and the report beside it.");
        return 0;
    }
}
