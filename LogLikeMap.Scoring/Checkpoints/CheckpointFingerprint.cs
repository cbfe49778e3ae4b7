using System.Security.Cryptography;
using System.Text;

namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>
/// A SHA-256 that tells checkpoints apart without reading all their weights: <c>config.json</c>, then for every
/// tensor (in name order) its name, dtype and shape and three windows of its bytes (start, middle, end). Checkpoints
/// of one architecture share config and layout (two training steps, two fine-tunes), but training changes every byte
/// of a trained tensor, so the windows tell them apart; reading under 1 KB a tensor keeps this quick for 7B models.
/// </summary>
public static class CheckpointFingerprint
{
    private const int WindowBytes = 256;

    /// <summary>The folder's fingerprint as lower-case hex.</summary>
    public static string Of(CheckpointFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(Path.Combine(folder.Path, CheckpointFolder.ConfigFileName)));
        using var weights = folder.OpenWeights();
        var window = new byte[WindowBytes];
        foreach (var name in weights.TensorNames.Order(StringComparer.Ordinal))
        {
            var info = weights.Info(name);
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\0{info.DType}\0{info.ShapeText}\0"));
            var length = info.ByteLength;
            var size = (int)Math.Min(WindowBytes, length);
            foreach (var offset in (long[])[0, (length - size) / 2, length - size])
            {
                weights.ReadBytes(name, offset, window.AsSpan(0, size));
                hash.AppendData(window, 0, size);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
