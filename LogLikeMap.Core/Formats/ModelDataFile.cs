using LogLikeMap.Core.Formats.Pickles;

namespace LogLikeMap.Core.Formats;

/// <summary>One model of the release's <c>model-data-1018.pkl</c>.</summary>
/// <param name="Name">Hugging Face id (<c>model_name</c>).</param>
/// <param name="ModelType">The paper's family label (<c>model_type</c>), e.g. "llama-3".</param>
/// <param name="SizeBillions">Parameter count in billions (<c>model_size</c>), when known.</param>
/// <param name="CreatedAt">When the model was created on the Hub (<c>created_at</c>).</param>
/// <param name="Downloads">Hub downloads at collection time.</param>
/// <param name="LogLikelihood">The N log-likelihoods (<c>log-likelihood-10k</c>, float32 in the file).</param>
/// <param name="MeanLogLikelihood">The release's mean log-likelihood (<c>mean_logp</c>).</param>
/// <param name="Benchmarks">Open LLM Leaderboard scores (<c>score_v1_*</c>); null where the file has NaN.</param>
public sealed record PaperModelRecord(
    string Name,
    string? ModelType,
    double? SizeBillions,
    DateTime? CreatedAt,
    long? Downloads,
    double[] LogLikelihood,
    double? MeanLogLikelihood,
    IReadOnlyDictionary<string, double?> Benchmarks);

/// <summary>Reads <c>model-data-1018.pkl</c>: a list of dicts, one per model.</summary>
public static class ModelDataFile
{
    /// <summary>The ACL release stores <c>log-likelihood-10k</c>; the follow-up's copy <c>raw_log-likelihood-10k</c>.</summary>
    private static readonly string[] LogLikelihoodKeys = ["log-likelihood-10k", "raw_log-likelihood-10k"];

    public static IReadOnlyList<PaperModelRecord> Read(string path) =>
        RestrictedUnpickler.Load(path) is List<object?> list
            ? Interpret(list, path)
            : throw new InvalidDataException($"{path}: expected a list of dicts (the release's model-data pickle).");

    public static IReadOnlyList<PaperModelRecord> Interpret(List<object?> list, string path)
    {
        var records = new List<PaperModelRecord>(list.Count);
        foreach (var (item, position) in list.Select((item, i) => (item, i)))
        {
            if (item is not PickleDict dict)
                throw new InvalidDataException($"{path}: entry {position} is not a dict.");
            var name = Get(dict, "model_name") as string
                ?? throw new InvalidDataException($"{path}: entry {position} has no 'model_name'.");
            var array = LogLikelihoodKeys.Select(k => Get(dict, k)).OfType<NumpyArray>().FirstOrDefault()
                ?? throw new InvalidDataException($"{path}: model '{name}' has no '{LogLikelihoodKeys[0]}' numpy array.");
            if (array.Shape.Count != 1)
                throw new InvalidDataException($"{path}: model '{name}': the log-likelihood array is not one-dimensional.");

            var benchmarks = dict.Entries
                .Where(e => e.Key is string key && key.StartsWith("score_", StringComparison.Ordinal))
                .ToDictionary(e => (string)e.Key, e => Number(e.Value));
            records.Add(new PaperModelRecord(
                name,
                Get(dict, "model_type") as string,
                Number(Get(dict, "model_size")),
                Get(dict, "created_at") as DateTime?,
                Get(dict, "downloads") as long?,
                array.ToDoubles(),
                Number(Get(dict, "mean_logp")),
                benchmarks));
        }
        return records;
    }

    private static object? Get(PickleDict dict, string key) => dict.TryGet(key, out var value) ? value : null;

    /// <summary>A Python float or int as a double; NaN (the release's "missing") and None become null.</summary>
    private static double? Number(object? value) => value switch
    {
        double d when double.IsFinite(d) => d,
        long n => n,
        _ => null,
    };
}
