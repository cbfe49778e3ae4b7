using System.CommandLine;
using System.Text;
using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Formats.Pickles;
using LogLikeMap.Store;

namespace LogLikeMap.Cli.Commands;

/// <summary>What <c>loglikemap export</c> writes.</summary>
public enum ExportContent
{
    /// <summary>The log-likelihood matrix L (models x texts).</summary>
    Matrix,

    /// <summary>Q, the clipped and double-centred coordinates (docs/method.md 1.3-1.4).</summary>
    Q,

    /// <summary>The 2-D map: the store's latest layout, or one computed now.</summary>
    Layout,

    /// <summary>Every model's nearest neighbours in the full space with KL estimates.</summary>
    Neighbours,
}

public enum ExportFormat
{
    Csv,
    Json,
}

/// <summary>
/// <c>loglikemap export --what matrix|q|layout|neighbours --format csv|json --out FILE</c>: exports the store's
/// current text set (or, with <c>--loglik</c>, a matrix file) through <see cref="Exports"/>.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var what = new Option<ExportContent>("--what") { Description = "What to export: matrix, q, layout or neighbours.", Required = true };
        var format = new Option<ExportFormat>("--format") { Description = "csv or json.", DefaultValueFactory = _ => ExportFormat.Csv };
        var output = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var loglik = new Option<string?>("--loglik") { Description = "Export from this matrix file instead of the store (any format `map` reads)." };
        var clip = new Option<double>("--clip-percentile") { Description = "Clip percentile for q and neighbours.", DefaultValueFactory = _ => 2 };
        var neighbours = new Option<int>("--neighbours") { Description = "Nearest neighbours listed per model.", DefaultValueFactory = _ => 10 };
        var database = StoreArguments.DatabaseOption();
        var provider = StoreArguments.ProviderOption();

        var command = new Command("export", "Export the matrix, Q, the layout or the neighbour lists as CSV or JSON.")
        {
            what, format, output, loglik, clip, neighbours, database, provider,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var source = parse.GetValue(loglik) is { } path
                    ? FromFile(path, cancellationToken)
                    : await FromStoreAsync(StoreArguments.From(parse, database, provider), cancellationToken);
                var request = new ExportRequest(parse.GetValue(what), parse.GetValue(format), parse.GetValue(output)!, parse.GetValue(clip), parse.GetValue(neighbours));
                await WriteAsync(source, request, cancellationToken);
                Console.Error.WriteLine($"Wrote {request.What.ToString().ToLowerInvariant()} of {source.Matrix.ModelCount} models to '{request.Output}'.");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or UnsafePickleException or IOException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"Export failed: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private sealed record ExportRequest(ExportContent What, ExportFormat Format, string Output, double ClipPercentile, int NeighbourCount);

    /// <summary>A matrix to export from, with what the store knows besides it.</summary>
    /// <param name="MeanByteLength">B̄ of the texts, for KL in bits per byte; null when the texts are unknown.</param>
    /// <param name="Layout">The stored layout, if any.</param>
    private sealed record ExportSource(LogLikelihoodMatrix Matrix, IReadOnlyList<long> TextIndices, double? MeanByteLength, IReadOnlyList<LayoutPoint>? Layout);

    private static ExportSource FromFile(string path, CancellationToken cancellationToken)
    {
        var loaded = MatrixFiles.Load(path, cancellationToken);
        return new ExportSource(loaded.Matrix, loaded.TextIndices, null, null);
    }

    private static async Task<ExportSource> FromStoreAsync(StoreOptions options, CancellationToken cancellationToken)
    {
        var factory = new StoreContextFactory(options);
        await factory.MigrateAsync(cancellationToken);
        var textSet = await new TextSetCatalog(factory).CurrentAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The store {StoreArguments.Describe(options)} is empty; run `loglikemap import` first.");
        var stored = await new ModelCatalog(factory).ReadMatrixAsync(textSet.Id, cancellationToken);
        var layout = await new LayoutCatalog(factory).LoadLatestAsync(textSet.Id, cancellationToken);
        return new ExportSource(stored.Matrix, stored.TextIndices, textSet.MeanByteLength, layout?.Points);
    }

    private static async Task WriteAsync(ExportSource source, ExportRequest request, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(request.Output));
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        await using var stream = File.Create(request.Output);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        var matrix = source.Matrix;
        switch (request.What)
        {
            case ExportContent.Matrix:
                await WriteTableAsync(request.Format, stream, writer, matrix.ModelNames, source.TextIndices, matrix.Values.ToArray(), cancellationToken);
                break;
            case ExportContent.Q:
                var q = CentredLogLikelihoods.FromMatrix(matrix, request.ClipPercentile);
                await WriteTableAsync(request.Format, stream, writer, matrix.ModelNames, source.TextIndices, q.Values.ToArray(), cancellationToken);
                break;
            case ExportContent.Layout:
                var points = source.Layout ?? ComputeLayout(matrix, request, cancellationToken);
                if (request.Format == ExportFormat.Csv)
                    await Exports.WriteLayoutCsvAsync(writer, points, cancellationToken);
                else
                    await Exports.WriteLayoutJsonAsync(stream, points, cancellationToken);
                break;
            case ExportContent.Neighbours:
                var rows = NeighbourLists(matrix, source.MeanByteLength, request, cancellationToken);
                if (request.Format == ExportFormat.Csv)
                    await Exports.WriteNeighboursCsvAsync(writer, rows, cancellationToken);
                else
                    await Exports.WriteNeighboursJsonAsync(stream, rows, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), $"Unknown export '{request.What}'.");
        }
    }

    private static Task WriteTableAsync(
        ExportFormat format, Stream stream, TextWriter writer, IReadOnlyList<string> models, IReadOnlyList<long> columns, double[] values,
        CancellationToken cancellationToken) =>
        format == ExportFormat.Csv
            ? Exports.WriteTableCsvAsync(writer, models, columns, values, cancellationToken)
            : Exports.WriteTableJsonAsync(stream, models, columns, values, cancellationToken);

    /// <summary>Neighbours in the full N-dimensional space of Q, never from the 2-D layout (docs/method.md 1.5).</summary>
    private static List<ModelNeighbours> NeighbourLists(LogLikelihoodMatrix matrix, double? meanByteLength, ExportRequest request, CancellationToken cancellationToken)
    {
        var q = CentredLogLikelihoods.FromMatrix(matrix, request.ClipPercentile);
        var distances = SquaredDistances.Build(q, cancellationToken);
        var count = Math.Min(request.NeighbourCount, matrix.ModelCount - 1);
        return [.. matrix.ModelNames.Select((name, i) =>
        {
            var nearest = Neighbour.Ranked(distances.Nearest(i, count), j => matrix.ModelNames[j], matrix.TextCount);
            return new ModelNeighbours(name, meanByteLength is { } bytes ? [.. nearest.Select(n => n.WithBitsPerByte(bytes))] : nearest);
        })];
    }

    private static List<LayoutPoint> ComputeLayout(LogLikelihoodMatrix matrix, ExportRequest request, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine("The store holds no layout for this text set; computing one now (not stored).");
        var options = new MapOptions { ClipPercentile = request.ClipPercentile, NeighbourCount = Math.Min(request.NeighbourCount, matrix.ModelCount - 1) };
        var map = ModelMapBuilder.Build(matrix, options, null, cancellationToken);
        return [.. map.Layout.Select((p, i) => new LayoutPoint(map.ModelNames[i], p.X, p.Y, false))];
    }
}
