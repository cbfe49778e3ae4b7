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

    /// <summary>
    /// The token streams of <paramref name="slugs"/> read from <paramref name="folder"/>, tokenized by
    /// <paramref name="encode"/>, without the documents <see cref="ZooBenchmark"/> holds out for the zoo's benchmark.
    /// More streams are built alongside: per domain, <see cref="InstructionsOf"/>, the same training documents cut into
    /// instruction/response pairs, and, when <paramref name="mapTexts"/> is given, <see cref="MapTexts"/>, the map's own
    /// texts (for the one model that is meant to leak them).
    /// </summary>
    public static TrainingCorpus Load(
        string folder, IEnumerable<string> slugs, Func<string, IReadOnlyList<int>> encode, int endOfTextId,
        IReadOnlyList<string>? mapTexts = null)
    {
        ArgumentNullException.ThrowIfNull(slugs);
        ArgumentNullException.ThrowIfNull(encode);
        var streams = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var slug in slugs)
        {
            var tokens = new List<int>();
            var instructions = new List<int>();
            foreach (var document in TrainingDocuments(folder, slug))
            {
                tokens.AddRange(encode(document));
                tokens.Add(endOfTextId);
                foreach (var example in InstructionExamples(document))
                {
                    instructions.AddRange(encode(example));
                    instructions.Add(endOfTextId);
                }
            }
            streams[slug] = [.. tokens];
            streams[InstructionsOf(slug)] = [.. instructions];
        }
        if (mapTexts is not null)
            streams[MapTexts] = [.. mapTexts.SelectMany(text => encode(text).Append(endOfTextId))];
        return new TrainingCorpus(streams);
    }

    /// <summary>
    /// The mixture name of a domain's instruction-formatted stream: an instruction fine-tune draws its examples from the
    /// domains its base was trained on, as a fine-tune specialises what its base knows (data/README.md, "The zoo").
    /// </summary>
    public static string InstructionsOf(string slug) => $"instructions/{slug}";

    /// <summary>The mixture name of the map's own texts.</summary>
    public const string MapTexts = "map-texts";

    /// <summary>Every document of a domain's corpus file, in file order.</summary>
    public static IReadOnlyList<string> Documents(string folder, string slug)
    {
        var path = Path.Combine(folder, slug + ".jsonl");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"No training corpus for domain '{slug}' at {path}. Build it first: loglikemap textset build --corpus {folder}", path);
        var documents = new List<string>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var document = JsonSerializer.Deserialize<CorpusLine>(line)
                ?? throw new InvalidDataException($"{path} line {lineNumber}: expected {{\"id\", \"text\"}}.");
            documents.Add(document.Text);
        }
        return documents;
    }

    private static IEnumerable<string> TrainingDocuments(string folder, string slug) =>
        Documents(folder, slug).Where((_, index) => !ZooBenchmark.IsHeldOut(index));

    /// <summary>
    /// A document cut into instruction-style examples (the Alpaca template): each 512 characters become an input of
    /// their first half and a response of their second, so an instruction fine-tune sees the template around the
    /// corpus's own text.
    /// </summary>
    public static IEnumerable<string> InstructionExamples(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        const int Piece = 512;
        for (var start = 0; start + Piece <= document.Length; start += Piece)
        {
            var input = document.Substring(start, Piece / 2).Trim();
            var response = document.Substring(start + (Piece / 2), Piece / 2).Trim();
            yield return $"### Instruction:\nContinue the text.\n\n### Input:\n{input}\n\n### Response:\n{response}\n";
        }
    }

    /// <summary>Tokens in one stream (a domain, <see cref="InstructionsOf"/> a domain or <see cref="MapTexts"/>).</summary>
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
            var name = mixture[random.Next(mixture.Count)];
            if (!_streams.TryGetValue(name, out var stream))
                throw new InvalidOperationException($"The training corpus has no stream '{name}' (it has {string.Join(", ", _streams.Keys)}).");
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
