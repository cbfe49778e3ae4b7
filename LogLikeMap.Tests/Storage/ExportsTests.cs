using LogLikeMap.Core.Formats;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Tests.Storage;

public class ExportsTests
{
    [Fact]
    public async Task TableCsvIsExactlyTheDocumentedLayout()
    {
        using var writer = new StringWriter();

        await Exports.WriteTableCsvAsync(writer, ["org/a,b", "c"], [3, 7], new[] { -1.5, -2.0, 0.1, -1e-300 }, CancellationToken.None);

        Assert.Equal("model,3,7\n\"org/a,b\",-1.5,-2\nc,0.1,-1E-300\n", writer.ToString());
    }

    [Fact]
    public async Task LayoutAndNeighbourCsvHaveTheirHeaders()
    {
        using var layout = new StringWriter();
        using var neighbours = new StringWriter();

        await Exports.WriteLayoutCsvAsync(layout, [new LayoutPoint("m", 1.25, -2, true)], CancellationToken.None);
        await Exports.WriteNeighboursCsvAsync(neighbours, [new ModelNeighbours("m", [new(0, 1, "n", 0.5, 0.25), new(1, 2, "o", 1)])], CancellationToken.None);

        Assert.Equal("model,x,y,provisional\nm,1.25,-2,true\n", layout.ToString());
        Assert.Equal("model,rank,neighbour,kl_nats,kl_bits_per_byte\nm,1,n,0.5,0.25\nm,2,o,1,\n", neighbours.ToString());
    }

    [Fact]
    public async Task NeighbourJsonWritesNullWhenBitsPerByteIsUnknown()
    {
        using var stream = new MemoryStream();

        await Exports.WriteNeighboursJsonAsync(stream, [new ModelNeighbours("m", [new(0, 1, "n", 0.5)])], CancellationToken.None);

        Assert.Equal("[{\"model\":\"m\",\"rank\":1,\"neighbour\":\"n\",\"kl_nats\":0.5,\"kl_bits_per_byte\":null}]", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public async Task ATableWithTheWrongNumberOfValuesIsRefused()
    {
        using var writer = new StringWriter();
        await Assert.ThrowsAsync<ArgumentException>(() => Exports.WriteTableCsvAsync(writer, ["a"], [0, 1], new[] { -1.0 }, CancellationToken.None));
    }
}
