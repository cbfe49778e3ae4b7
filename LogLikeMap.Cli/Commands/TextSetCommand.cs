using System.CommandLine;
using LogLikeMap.Core.TextSets;
using LogLikeMap.Lab.Zoo;

namespace LogLikeMap.Cli.Commands;

/// <summary>
/// <c>loglikemap textset build</c>: rebuilds the default text set (data/demo-map/texts.jsonl) from the fetched
/// sources and writes the zoo's training corpus, disjoint from it by document.
/// </summary>
internal static class TextSetCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The text set to write (paper JSON Lines).", Required = true };
        var count = new Option<int>("--count") { Description = "Number of texts (chunks).", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the document split and the sample (Python's random).", DefaultValueFactory = _ => 42 };
        var sources = new Option<string>("--sources")
        {
            Description = "Folder filled by data/text-sources/fetch.sh.",
            DefaultValueFactory = _ => "artifacts/text-sources",
        };
        var corpus = new Option<string>("--corpus")
        {
            Description = "Folder for the training corpus (one SLUG.jsonl per domain), disjoint from the text set.",
            DefaultValueFactory = _ => "artifacts/zoo-corpus",
        };

        var build = new Command("build", "Build the default text set from public-domain and permissively licensed sources, and the zoo's training corpus.")
        {
            output, count, seed, sources, corpus,
        };
        build.SetAction(async (parse, cancellationToken) =>
        {
            var sourcesRoot = parse.GetValue(sources)!;
            var domains = DefaultTextDomains.All
                .Select(domain => (domain, domain.ReadDocuments(sourcesRoot)))
                .ToList();
            foreach (var (domain, documents) in domains)
                Console.WriteLine($"{domain.Name}: {documents.Count} documents");

            var built = TextSetBuilder.Build(domains, new TextSetBuildOptions(parse.GetValue(count), parse.GetValue(seed)));
            var outputPath = parse.GetValue(output)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
            await TextSetFile.WriteAsync(outputPath, built.Texts, cancellationToken);

            var corpusFolder = parse.GetValue(corpus)!;
            foreach (var (slug, documents) in built.TrainingDocuments)
            {
                await TrainingCorpus.WriteDomainAsync(corpusFolder, slug, documents, cancellationToken);
                Console.WriteLine($"training corpus {slug}: {documents.Count} documents, {documents.Sum(d => (long)d.Text.Length):N0} characters");
            }
            var textSet = new TextSet(built.Texts);
            Console.WriteLine($"{outputPath}: {textSet.Count} texts, mean {textSet.MeanByteLength:F1} bytes, content hash {textSet.ContentHash}");
            return 0;
        });

        return new Command("textset", "Text sets: build the default one, or resample one by the texts' variance across models.")
        {
            build, TextSetResampleCommand.Create(),
        };
    }
}
