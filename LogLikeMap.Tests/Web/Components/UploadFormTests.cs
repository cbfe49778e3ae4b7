using LogLikeMap.Web.Components.Upload;

namespace LogLikeMap.Tests.Web.Components;

public sealed class UploadFormTests
{
    private static readonly string[] OnMap = ["gpt2", "org/llama-tiny"];

    [Theory]
    [InlineData("my-org/gpt2.finetuned_v2")]
    [InlineData("tiny")]
    public void Hugging_Face_style_names_pass(string name)
    {
        Assert.Null(UploadForm.CheckName(name, OnMap));
    }

    [Theory]
    [InlineData("", "Give the model a name")]
    [InlineData("   ", "Give the model a name")]
    [InlineData("a/b/c", "at most one '/'")]
    [InlineData("/lead", "at most one '/'")]
    [InlineData("has space", "Use letters, digits")]
    [InlineData("../etc", "Start the name")]
    [InlineData("org/.hidden", "Start the name")]
    [InlineData("org/llama-tiny", "already on the map")]
    public void Bad_names_are_refused_with_what_to_do(string name, string message)
    {
        Assert.Contains(message, UploadForm.CheckName(name, OnMap), StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_longer_than_the_limit_is_refused_with_its_length()
    {
        Assert.Equal("The name is 201 characters long; keep it to 200.", UploadForm.CheckName(new string('a', 201), OnMap));
    }

    [Fact]
    public void The_file_must_match_the_source_and_fit_the_limit()
    {
        var form = new UploadForm(maxZipBytes: 2L << 30, maxResultsBytes: 64L << 20) { Source = UploadSource.CheckpointZip };
        Assert.Equal("Choose or drop a checkpoint zip (.zip).", form.CheckFile());

        form.FileName = "model.tar.gz";
        Assert.Equal("\"model.tar.gz\" is not a .zip file; the checkpoint zip must end in .zip.", form.CheckFile());

        form.FileName = "model.zip";
        form.FileSize = 3L * 1024 * 1024 * 1024;
        Assert.Equal(
            "\"model.zip\" is 3 GiB; the limit is 2 GiB. Put large checkpoints in a folder on the server instead.",
            form.CheckFile());

        form.FileSize = 1024;
        Assert.Null(form.CheckFile());

        form.Source = UploadSource.ResultsFile;
        Assert.Contains("must end in .jsonl", form.CheckFile(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sizes_that_round_alike_are_also_given_in_bytes()
    {
        var form = new UploadForm(maxZipBytes: 4L << 30, maxResultsBytes: 64L << 20) { FileName = "big.zip", FileSize = (4L << 30) + 1 };

        Assert.Equal(
            "\"big.zip\" is 4 GiB (4,294,967,297 bytes); the limit is 4 GiB (4,294,967,296 bytes). Put large checkpoints in a folder on the server instead.",
            form.CheckFile());
    }

    [Fact]
    public void The_results_file_has_its_own_limit()
    {
        var form = new UploadForm(maxZipBytes: 2L << 30, maxResultsBytes: 1536) { Source = UploadSource.ResultsFile, FileName = "r.jsonl", FileSize = 2048 };

        Assert.Equal("\"r.jsonl\" is 2 KiB; the limit is 1.5 KiB.", form.CheckFile());
    }

    [Fact]
    public void A_server_folder_must_be_a_full_path()
    {
        var form = new UploadForm(maxZipBytes: 2L << 30, maxResultsBytes: 64L << 20) { Source = UploadSource.ServerFolder, Name = "x", Family = "f", ServerFolder = "models/x" };

        Assert.Equal(["\"models/x\" is a relative path; give the full path of the folder on the server."], form.Problems(OnMap));

        form.ServerFolder = "/data/models/x";
        Assert.Empty(form.Problems(OnMap));
    }

    [Fact]
    public void A_family_already_on_the_map_needs_no_note_and_a_new_one_is_announced()
    {
        string[] families = ["gpt2-bytes", "neox-bytes"];

        Assert.Null(UploadForm.NewFamilyNote("gpt2-bytes", families));
        Assert.Null(UploadForm.NewFamilyNote(" gpt2-bytes ", families));
        Assert.Null(UploadForm.NewFamilyNote("", families));
        Assert.Equal("\"mamba\" is a new family: it will be created, with a colour of its own on the map.",
            UploadForm.NewFamilyNote("mamba", families));
    }

    [Fact]
    public void A_family_that_differs_only_in_case_or_dashes_is_named_as_the_one_likely_meant()
    {
        Assert.Equal(
            "\"GPT2_Bytes\" is not on the map, but \"gpt2-bytes\" is: did you mean it? As typed, a new family \"GPT2_Bytes\" will be created.",
            UploadForm.NewFamilyNote("GPT2_Bytes", ["neox-bytes", "gpt2-bytes"]));
    }
}
