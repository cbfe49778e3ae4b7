using System.Text.Json;

namespace LogLikeMap.Web.Uploads;

public enum UploadKind
{
    /// <summary>A Hugging Face checkpoint folder to score (extracted from a zip, or a folder on the server).</summary>
    Checkpoint,

    /// <summary>Paper-format results already computed for the current text set; placed without scoring.</summary>
    Results,
}

/// <summary>What an upload asks for, written as <c>upload.json</c> in its folder before its job is queued.</summary>
/// <param name="CheckpointFolder">The checkpoint to score: inside the upload folder, or a server folder.</param>
public sealed record UploadManifest(
    string UploadId, UploadKind Kind, string ModelName, string Family, string? Architecture, string? CheckpointFolder, DateTimeOffset Created);

/// <summary>
/// One upload's folder, <c>uploads/ID/</c>: <c>upload.json</c>, <c>checkpoint/</c> (an extracted zip),
/// <c>results.jsonl</c> (scores, written as they are computed, so a restarted job resumes) and the marker
/// <c>placed</c>, written once the model is on the map, which makes a second run of the job a no-op.
/// A new upload is assembled in <c>ID.partial/</c> and renamed when complete, so no half-written upload is ever queued.
/// </summary>
public sealed class UploadFolder
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private UploadFolder(string path) => Path = path;

    public string Path { get; }

    public string ManifestFile => System.IO.Path.Combine(Path, "upload.json");

    public string CheckpointFolder => System.IO.Path.Combine(Path, "checkpoint");

    public string ResultsFile => System.IO.Path.Combine(Path, "results.jsonl");

    public string PlacedMarker => System.IO.Path.Combine(Path, "placed");

    public bool IsPlaced => File.Exists(PlacedMarker);

    public static UploadFolder Of(string uploadsRoot, string uploadId)
    {
        if (uploadId.Length == 0 || !uploadId.All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException($"'{uploadId}' is not an upload id.", nameof(uploadId));
        return new UploadFolder(System.IO.Path.Combine(uploadsRoot, uploadId));
    }

    /// <summary>A fresh folder to assemble a new upload in; <see cref="CommitAsync"/> makes it visible.</summary>
    public static UploadFolder CreatePartial(string uploadsRoot, string uploadId)
    {
        var partial = new UploadFolder(System.IO.Path.Combine(uploadsRoot, uploadId + ".partial"));
        Directory.CreateDirectory(partial.Path);
        return partial;
    }

    public async Task<UploadManifest> ReadManifestAsync(CancellationToken ct)
    {
        await using var stream = File.OpenRead(ManifestFile);
        return await JsonSerializer.DeserializeAsync<UploadManifest>(stream, Json, ct)
            ?? throw new InvalidDataException($"{ManifestFile} is empty.");
    }

    /// <summary>Writes the manifest (pointing inside the final folder) and renames the partial folder to <c>uploads/ID</c>.</summary>
    public async Task<UploadFolder> CommitAsync(UploadManifest manifest, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var final = new UploadFolder(Path[..^".partial".Length]);
        await File.WriteAllTextAsync(ManifestFile, JsonSerializer.Serialize(manifest, Json), ct);
        Directory.Move(Path, final.Path);
        return final;
    }

    public void MarkPlaced() => File.WriteAllText(PlacedMarker, DateTimeOffset.UtcNow.ToString("O"));

    /// <summary>Removes a partial upload after a refusal; nothing of it stays behind.</summary>
    public void Discard()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
