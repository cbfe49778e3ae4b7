using LogLikeMap.Web.Components.Upload;

namespace LogLikeMap.Tests.Web.Components;

public sealed class UploadProgressTests
{
    [Fact]
    public void Bytes_sent_rate_and_time_left_follow_the_clock()
    {
        var clock = new SteppedClock();
        var progress = new UploadProgress(300L << 20, clock);
        Assert.Equal("0 bytes of 300 MiB", progress.ToString());

        // 100 MiB in 20 s: 5 MiB/s, and the 200 MiB left take 40 s.
        clock.Advance(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 1600; i++)
            progress.Add(64 << 10);

        Assert.Equal(100L << 20, progress.SentBytes);
        Assert.Equal(100.0 / 3, progress.Percent, 9);
        Assert.Equal(5L << 20, progress.BytesPerSecond, 6);
        Assert.Equal(TimeSpan.FromSeconds(40), progress.TimeLeft);
        Assert.Equal("100 MiB of 300 MiB · 5 MiB/s · about 40 s left", progress.ToString());
    }

    [Fact]
    public async Task The_stream_reports_each_chunk_the_reader_takes_and_passes_the_bytes_through()
    {
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var reported = new List<int>();
        await using var stream = new ProgressStream(new MemoryStream(data), reported.Add);
        using var copy = new MemoryStream();

        await stream.CopyToAsync(copy, 4096);

        Assert.Equal(data, copy.ToArray());
        Assert.Equal([4096, 4096, 1808, 0], reported);
    }

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
