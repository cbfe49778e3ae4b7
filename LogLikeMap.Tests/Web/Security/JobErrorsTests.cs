using System.Runtime.InteropServices;
using LogLikeMap.Scoring.Checkpoints;
using LogLikeMap.Web.Services;
using LogLikeMap.Web.Uploads;

namespace LogLikeMap.Tests.Web.Security;

/// <summary>What a failed job's error may show: the user's own mistake without server folders, nothing of native errors.</summary>
public sealed class JobErrorsTests
{
    private const string Generic = "The job failed on the server (ExternalException). The administrator finds the details in the server's log and on the job dashboard.";

    [Fact]
    public void A_native_error_with_stack_frames_and_paths_is_named_only_by_its_kind()
    {
        var native = new ExternalException("shape '[2, 64]' is invalid for input of size 96\nException raised from /opt/libtorch/aten/src/ATen/native/TensorShape.cpp:1234 "
            + "(most recent call first):\nframe #0: c10::Error::Error(...) + 0x8d (0x7f00 in /srv/app/libc10.so)");

        Assert.Equal(Generic, JobErrors.Shown(native));
        Assert.Equal(Generic, JobErrors.Shown("System.Runtime.InteropServices.ExternalException, System.Private.CoreLib", native.Message));
    }

    [Fact]
    public void A_message_written_for_users_keeps_its_words_and_loses_the_server_folders()
    {
        var checkpoint = new CheckpointException("/srv/data/app/uploads/0a1b/checkpoint/config.json has no \"model_type\" string, so the architecture is unknown.");
        var refused = new UploadRejectedException("There is no folder '/srv/models/gpt2' under /srv/models; name it again.");

        Assert.Equal("config.json has no \"model_type\" string, so the architecture is unknown.", JobErrors.Shown(checkpoint));
        Assert.Equal("There is no folder 'gpt2' under models; name it again.", JobErrors.Shown(refused));
        // Model names hold a '/' too; only paths from the root are cut.
        Assert.Equal("Another model named \"my-org/gpt2\" is already on the map.", JobErrors.Shown(new InvalidOperationException("Another model named \"my-org/gpt2\" is already on the map.")));
    }

    [Fact]
    public void A_full_disk_is_said_so_wherever_it_surfaced()
    {
        var enospc = new IOException("No space left on device : '/srv/data/app/uploads/x/results.jsonl'", 28);

        Assert.Equal(DiskFull.Message, JobErrors.Shown(new InvalidOperationException("placing failed", enospc)));
    }
}
