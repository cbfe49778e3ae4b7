namespace LogLikeMap.Store;

// The store's tables. Times are UTC. Vectors are blobs (VectorBlobs) because a map reads whole vectors, never cells.

/// <summary>A text set: the N texts models are scored on, identified by its content hash (TextSets.TextSet).</summary>
public sealed class TextSetEntity
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>SHA-256 hex of the texts (TextSet.ContentHash); unique.</summary>
    public required string ContentHash { get; set; }

    public int TextCount { get; set; }

    /// <summary>B̄, the mean UTF-8 byte length, for KL in bits per byte.</summary>
    public double MeanByteLength { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<TextEntity> Texts { get; set; } = [];
}

/// <summary>One text of a text set; <see cref="Position"/> is its column in every score vector of the set.</summary>
public sealed class TextEntity
{
    public long Id { get; set; }

    public int TextSetId { get; set; }

    public int Position { get; set; }

    /// <summary>The paper's <c>index</c> field.</summary>
    public long Index { get; set; }

    public required string Text { get; set; }

    /// <summary>The paper's <c>pile_set_name</c>.</summary>
    public string? Domain { get; set; }

    public int ByteLength { get; set; }

    /// <summary>The text line's other fields (e.g. pile_idx, chunk_idx) as a JSON object.</summary>
    public string? ExtraJson { get; set; }
}

/// <summary>A language model on the map.</summary>
public sealed class ModelEntity
{
    public int Id { get; set; }

    /// <summary>Unique name, usually the Hugging Face id.</summary>
    public required string Name { get; set; }

    public string? Family { get; set; }

    /// <summary>config.json's model_type, e.g. "llama" or "gpt_neox".</summary>
    public string? Architecture { get; set; }

    public long? ParameterCount { get; set; }

    /// <summary>Where the model comes from: a Hub id, "paper release", "zoo", "upload".</summary>
    public string? Source { get; set; }

    /// <summary>When the model itself was created (the Hub's created_at, or when it was trained).</summary>
    public DateTime? CreatedAt { get; set; }

    /// <summary>Free-form metadata as a JSON object: data_mixture, seed, step, parent, color, benchmark scores...</summary>
    public string? MetadataJson { get; set; }

    public DateTime AddedAt { get; set; }

    public List<ScoreVectorEntity> ScoreVectors { get; set; } = [];
}

/// <summary>One model's log-likelihood vector on one text set (one per model and text set).</summary>
public sealed class ScoreVectorEntity
{
    public long Id { get; set; }

    public int ModelId { get; set; }

    public ModelEntity Model { get; set; } = null!;

    public int TextSetId { get; set; }

    /// <summary>N float64 little-endian values in the text set's position order.</summary>
    public required byte[] LogLikelihoods { get; set; }

    /// <summary>N int32 little-endian token counts, when the scorer reported them.</summary>
    public byte[]? TokenCounts { get; set; }

    /// <summary>The dtype the model was scored in ("float32", "bfloat16", "float16" as in the paper, or "unknown").</summary>
    public required string Dtype { get; set; }

    /// <summary>What produced the vector, e.g. "loglikemap 1.0" or "paper release".</summary>
    public required string ScorerVersion { get; set; }

    public DateTime ScoredAt { get; set; }
}

/// <summary>A computed 2-D map of the models of one text set; versions increase per text set.</summary>
public sealed class MapLayoutEntity
{
    public int Id { get; set; }

    public int TextSetId { get; set; }

    public int Version { get; set; }

    /// <summary>The layout's parameters as JSON (<see cref="LogLikeMap.Core.Map.LayoutParameters"/>).</summary>
    public required string ParametersJson { get; set; }

    /// <summary>The clipping threshold c of the layout's matrix, reused for models placed later and on every redraw (docs/method.md §1.3).</summary>
    public double ClipThreshold { get; set; }

    /// <summary>
    /// The column means of the layout's Q (little-endian doubles, one per text), reused like the threshold; null for
    /// layouts stored before they were kept (a redraw then centres the remaining models among themselves).
    /// </summary>
    public byte[]? ColumnMeans { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<LayoutPointEntity> Points { get; set; } = [];
}

/// <summary>One model's position in a layout; provisional until the next full re-layout.</summary>
public sealed class LayoutPointEntity
{
    public long Id { get; set; }

    public int LayoutId { get; set; }

    public int ModelId { get; set; }

    public ModelEntity Model { get; set; } = null!;

    public double X { get; set; }

    public double Y { get; set; }

    public bool Provisional { get; set; }
}

/// <summary>
/// An upload kept in the database for worker hosts without a shared disk (issue 12): its manifest and the SHA-256 and
/// length of the whole archive; the bytes are in <see cref="StoredUploadChunkEntity"/> rows.
/// </summary>
public sealed class StoredUploadEntity
{
    /// <summary>The upload id (32 hex digits).</summary>
    public required string UploadId { get; set; }

    /// <summary>What the upload asks for, as the web app wrote it (JSON).</summary>
    public required string ManifestJson { get; set; }

    public long Length { get; set; }

    public int ChunkCount { get; set; }

    /// <summary>SHA-256 hex of the whole archive, checked by the worker after it has put the chunks together.</summary>
    public required string Sha256 { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>One chunk (4 MiB, the last shorter) of a stored upload's archive.</summary>
public sealed class StoredUploadChunkEntity
{
    public required string UploadId { get; set; }

    public int ChunkIndex { get; set; }

    public required byte[] Bytes { get; set; }

    /// <summary>SHA-256 hex of <see cref="Bytes"/>.</summary>
    public required string Sha256 { get; set; }
}

/// <summary>
/// The scores of one chunk of an upload's texts (Jobs:ScoringChunkTexts texts in the text set's position order), written
/// as the chunk finishes: a job taken over by another worker skips the chunks stored here, and the shards of one upload
/// meet here before its placement.
/// </summary>
public sealed class PartialScoreEntity
{
    public required string UploadId { get; set; }

    public int ChunkIndex { get; set; }

    /// <summary>The text-set position of the chunk's first text.</summary>
    public int FirstPosition { get; set; }

    /// <summary>float64 little-endian log-likelihoods, one per text of the chunk in position order.</summary>
    public required byte[] LogLikelihoods { get; set; }

    /// <summary>int32 little-endian token counts, one per text.</summary>
    public required byte[] TokenCounts { get; set; }

    /// <summary>The worker that scored the chunk: host, device and process id.</summary>
    public required string ScoredBy { get; set; }

    public DateTime ScoredAt { get; set; }
}
