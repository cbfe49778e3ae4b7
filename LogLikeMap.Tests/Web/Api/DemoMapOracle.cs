using System.Text.Json;

namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// KL between models of the test demo map worked out here, independently of the app: the clipped raw
/// vectors read straight from the results files, numpy's clip threshold from expected.json, and the closed
/// form |q_i - q_j|^2 / 2N = N Var_s(L_i - L_j) / 2N = Var_s(L_i - L_j) / 2 (population variance,
/// docs/method.md §1.4-1.5), which needs no centering at all.
/// </summary>
internal sealed class DemoMapOracle
{
    private readonly Dictionary<string, double[]> _clipped = new(StringComparer.Ordinal);
    private long[] _textIndices = [];

    public DemoMapOracle()
    {
        var folder = WebAppFactory.DemoMapFolder;
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "..", "expected.json")));
        var threshold = expected.RootElement.GetProperty("clip_threshold").GetDouble();
        MeanTextBytes = expected.RootElement.GetProperty("mean_text_bytes").GetDouble();
        foreach (var line in File.ReadLines(Path.Combine(folder, "models.jsonl")))
        {
            using var model = JsonDocument.Parse(line);
            var name = model.RootElement.GetProperty("name").GetString()!;
            var file = Path.Combine(folder, "results", name.Replace("/", "__", StringComparison.Ordinal) + ".jsonl");
            var results = File.ReadLines(file)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .OrderBy(r => r.GetProperty("index").GetInt64())
                .ToList();
            _textIndices = [.. results.Select(r => r.GetProperty("index").GetInt64())];
            _clipped[name] = [.. results.Select(r => Math.Max(r.GetProperty("log-likelihood").GetDouble(), threshold))];
        }
    }

    public IReadOnlyCollection<string> ModelNames => _clipped.Keys;

    public double MeanTextBytes { get; }

    /// <summary>A model's log-likelihoods clipped at numpy's threshold, in text-index order.</summary>
    public IReadOnlyList<double> Clipped(string name) => _clipped[name];

    public double KlNats(string a, string b)
    {
        var differences = _clipped[a].Zip(_clipped[b], (x, y) => x - y).ToArray();
        var mean = differences.Average();
        return differences.Sum(d => (d - mean) * (d - mean)) / differences.Length / 2.0;
    }

    /// <summary>
    /// Per text index, the variance across models of its column of Q. Column centring subtracts one number from a
    /// whole column, which leaves its variance as it is, so this is the population variance over the models of
    /// the row-centred clipped log-likelihoods (docs/method.md §1.4); no column means are needed.
    /// <paramref name="without"/> leaves a model out (one deleted from the map).
    /// </summary>
    public IReadOnlyDictionary<long, double> TextVariances(string? without = null)
    {
        var rowCentred = _clipped.Where(m => m.Key != without).Select(m => m.Value.Select(v => v - m.Value.Average()).ToArray()).ToList();
        var variances = new Dictionary<long, double>();
        for (var s = 0; s < _textIndices.Length; s++)
        {
            var column = rowCentred.Select(row => row[s]).ToArray();
            var mean = column.Average();
            variances[_textIndices[s]] = column.Sum(v => (v - mean) * (v - mean)) / column.Length;
        }
        return variances;
    }

    /// <summary>All other models, closest first.</summary>
    public IReadOnlyList<(string Name, double KlNats)> Ranked(string model) =>
        [.. _clipped.Keys.Where(n => n != model).Select(n => (n, KlNats(model, n))).OrderBy(p => p.Item2)];
}
