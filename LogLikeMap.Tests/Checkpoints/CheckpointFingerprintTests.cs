using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Tests.PaperData;

namespace LogLikeMap.Tests.Checkpoints;

/// <summary>The fingerprint follows the checkpoint's content, not where it lies.</summary>
public class CheckpointFingerprintTests
{
    [Fact]
    public void A_copy_in_another_folder_has_the_same_fingerprint()
    {
        using var copy = CopyOf("gpt2-tiny");

        Assert.Equal(Fingerprint(ScoringFixtures.ModelFolder("gpt2-tiny")), Fingerprint(copy.Path));
    }

    [Fact]
    public void Other_weights_in_the_same_layout_change_the_fingerprint()
    {
        using var copy = CopyOf("gpt2-tiny");
        // The last bytes of the file are the end of the last tensor: same config, same header, other weights.
        var weights = copy.FilePath(CheckpointWeights.SingleFileName);
        var bytes = File.ReadAllBytes(weights);
        for (var i = bytes.Length - 64; i < bytes.Length; i++)
            bytes[i] ^= 0x01;
        File.WriteAllBytes(weights, bytes);

        Assert.NotEqual(Fingerprint(ScoringFixtures.ModelFolder("gpt2-tiny")), Fingerprint(copy.Path));
    }

    [Fact]
    public void Checkpoints_sharing_a_tokenizer_have_different_fingerprints() =>
        Assert.NotEqual(Fingerprint(ScoringFixtures.ModelFolder("gpt2-tiny")), Fingerprint(ScoringFixtures.ModelFolder("neox-tiny")));

    private static string Fingerprint(string folder) => CheckpointFingerprint.Of(CheckpointFolder.Open(folder));

    private static TempFolder CopyOf(string model)
    {
        var temp = new TempFolder();
        foreach (var file in Directory.EnumerateFiles(ScoringFixtures.ModelFolder(model)))
            File.Copy(file, temp.FilePath(Path.GetFileName(file)));
        return temp;
    }
}
