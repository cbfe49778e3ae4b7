using System.Text.Json;
using System.Text.Json.Serialization;

namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The zoo's training corpus: per domain, the documents the text set left out (<see cref="TextSetBuilder"/>), stored
/// as <c>SLUG.jsonl</c> lines <c>{"id", "text"}</c> in a corpus folder. For training, each domain's documents are
/// tokenized and joined into one token stream separated by <c>&lt;|endoftext|&gt;</c>, as GPT-2 was trained, and
/// windows are cut from it at random offsets.
/// </summary>
public sealed class TrainingCorpus
{
    private readonly Dictionary<string, int[]> _streams;

    private TrainingCorpus(Dictionary<string, int[]> streams) => _streams = streams;

    /// <summary>Writes one domain's training documents to <c>FOLDER/SLUG.jsonl</c>.</summary>
    public static async Task WriteDomainAsync(
        string folder, string slug, IEnumerable<SourceDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        Directory.CreateDirectory(folder);
        await File.WriteAllLinesAsync(
            Path.Combine(folder, slug + ".jsonl"),
            documents.Select(d => JsonSerializer.Serialize(new CorpusLine(d.Id, d.Text))),
            cancellationToken);
    }

    /// <summary>The token streams of <paramref name="slugs"/> read from <paramref name="folder"/>, tokenized by <paramref name="encode"/>.</summary>
    public static TrainingCorpus Load(
        string folder, IEnumerable<string> slugs, Func<string, IReadOnlyList<int>> encode, int endOfTextId)
    {
        ArgumentNullException.ThrowIfNull(slugs);
        ArgumentNullException.ThrowIfNull(encode);
        var streams = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var slug in slugs)
        {
            var path = Path.Combine(folder, slug + ".jsonl");
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"No training corpus for domain '{slug}' at {path}. Build it first: loglikemap textset build --corpus {folder}", path);
            var tokens = new List<int>();
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                var document = JsonSerializer.Deserialize<CorpusLine>(line)
                    ?? throw new InvalidDataException($"{path} line {lineNumber}: expected {{\"id\", \"text\"}}.");
                tokens.AddRange(encode(document.Text));
                tokens.Add(endOfTextId);
            }
            streams[slug] = [.. tokens];
        }
        return new TrainingCorpus(streams);
    }

    /// <summary>Tokens in one domain's stream.</summary>
    public long TokenCount(string slug) => _streams[slug].LongLength;

    /// <summary>
    /// One batch of <paramref name="batchSize"/> windows of <paramref name="context"/> + 1 tokens (inputs and the
    /// next-token targets overlap by all but one), row-major. Each window's domain is drawn uniformly from
    /// <paramref name="mixture"/>, then its offset uniformly from that domain's stream.
    /// </summary>
    public long[] SampleWindows(Random random, IReadOnlyList<string> mixture, int batchSize, int context)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(mixture);
        var windows = new long[batchSize * (context + 1)];
        for (var b = 0; b < batchSize; b++)
        {
            var stream = _streams[mixture[random.Next(mixture.Count)]];
            if (stream.Length <= context + 1)
                throw new InvalidOperationException($"A training stream of {stream.Length} tokens is shorter than one window of {context + 1}.");
            var start = random.Next(stream.Length - context - 1);
            for (var t = 0; t <= context; t++)
                windows[(b * (context + 1)) + t] = stream[start + t];
        }
        return windows;
    }

    private sealed record CorpusLine(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("text")] string Text);
}
