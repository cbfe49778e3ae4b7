using LogLikeMap.Core.Formats;

namespace LogLikeMap.Store.Catalog;

/// <summary>
/// A model's scores on a text set, ready to be stored.
/// </summary>
/// <param name="Model">Its metadata (name required).</param>
/// <param name="TextSetHash">The content hash of the texts it was scored on; the store refuses any other set.</param>
/// <param name="Scores">One score per text of the set, any order.</param>
/// <param name="Dtype">The dtype it was scored in ("float32", "bfloat16", "float16").</param>
/// <param name="ScorerVersion">What scored it, e.g. "loglikemap 1.0".</param>
public sealed record ScoredModel(ModelMetadata Model, string TextSetHash, IReadOnlyList<TextScore> Scores, string Dtype, string ScorerVersion);
