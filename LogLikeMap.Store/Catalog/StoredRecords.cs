using System.Text.Json.Nodes;
using LogLikeMap.Core.Map;
using LogLikeMap.Core.Formats;

namespace LogLikeMap.Store.Catalog;

// What the catalog services hand out: plain records, never EF entities, so callers cannot change the store by accident.

/// <summary>A text set in the store.</summary>
/// <param name="MeanByteLength">B̄, the mean UTF-8 byte length of the texts (KL in bits per byte).</param>
public sealed record StoredTextSet(int Id, string Name, string ContentHash, int TextCount, double MeanByteLength, DateTime CreatedAt);

/// <summary>A model in the store with its metadata.</summary>
public sealed record StoredModel(
    int Id,
    string Name,
    string? Family,
    string? Architecture,
    long? ParameterCount,
    string? Source,
    DateTime? CreatedAt,
    JsonObject? Metadata,
    DateTime AddedAt);

/// <summary>
/// All score vectors of one text set as a matrix: row i is <see cref="Models"/>[i] (ordinal name order, the same on
/// every read), column s is the text with index <see cref="TextIndices"/>[s] (ascending).
/// </summary>
public sealed record StoredMatrix(StoredTextSet TextSet, IReadOnlyList<StoredModel> Models, IReadOnlyList<long> TextIndices, LogLikelihoodMatrix Matrix);

/// <summary>A stored map layout.</summary>
/// <param name="Parameters">The parameters it was computed with.</param>
/// <param name="ClipThreshold">c, the clipping threshold its matrix used; models placed later and every redraw reuse it.</param>
/// <param name="ColumnMeans">The column means of its Q, reused like c; null for layouts stored before they were kept.</param>
public sealed record StoredLayout(
    int Id, int TextSetId, int Version, LayoutParameters Parameters, double ClipThreshold, double[]? ColumnMeans, DateTime CreatedAt,
    IReadOnlyList<LayoutPoint> Points);
