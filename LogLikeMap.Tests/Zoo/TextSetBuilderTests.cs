using System.Text;
using LogLikeMap.Lab.Zoo;

namespace LogLikeMap.Tests.Zoo;

/// <summary>
/// The text-set builder on a small slice: three made-up domains of documents whose lengths are known, so the
/// paper's chunk rule (more than 256 and at most 1,024 UTF-8 bytes) and the document split can be checked directly.
/// </summary>
public sealed class TextSetBuilderTests
{
    private static readonly TextDomain[] Domains =
    [
        Domain("Speeches", "speeches"),
        Domain("Novel", "novel"),
        Domain("Code", "code"),
    ];

    private static TextDomain Domain(string name, string slug) =>
        new(name, slug, "made up for the test", "CC0-1.0", [slug], _ => true);

    /// <summary>Document d of a domain: 3,000 bytes of distinct words, with a multi-byte character every few words.</summary>
    private static IReadOnlyList<SourceDocument> Documents(TextDomain domain, int count) =>
        [.. Enumerable.Range(0, count).Select(d =>
        {
            var text = new StringBuilder();
            for (var w = 0; Encoding.UTF8.GetByteCount(text.ToString()) < 3000; w++)
                text.Append(domain.Slug).Append('-').Append(d).Append('-').Append(w).Append(w % 7 == 0 ? " é€ " : " ");
            return new SourceDocument(domain.Name, $"{domain.Slug}/doc{d:D3}.txt", text.ToString());
        })];

    private static BuiltTextSet Build(int count = 60, int seed = 42) =>
        TextSetBuilder.Build([.. Domains.Select(d => (d, Documents(d, 40)))], new TextSetBuildOptions(count, seed));

    [Fact]
    public void Every_domain_gets_its_share_of_texts_indexed_from_zero()
    {
        var built = Build();

        Assert.Equal(60, built.Texts.Count);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), built.Texts.Select(t => t.Index));
        foreach (var domain in Domains)
            Assert.Equal(20, built.Texts.Count(t => t.Domain == domain.Name));
    }

    [Fact]
    public void Chunks_follow_the_papers_rule_and_are_pieces_of_their_documents()
    {
        var documents = Domains.SelectMany(d => Documents(d, 40)).ToDictionary(d => d.Id, d => d.Text);
        foreach (var text in Build().Texts)
        {
            var bytes = Encoding.UTF8.GetByteCount(text.Text);
            Assert.InRange(bytes, 257, 1024);
            var source = text.ExtraFields!["source_document"]!.GetValue<string>();
            Assert.Contains(text.Text, documents[source], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Training_documents_share_no_document_with_the_text_set()
    {
        var built = Build();
        var chosen = built.Texts.Select(t => t.ExtraFields!["source_document"]!.GetValue<string>()).ToHashSet();
        var training = built.TrainingDocuments.Values.SelectMany(docs => docs).ToList();

        Assert.Equal(Domains.Select(d => d.Slug).Order(), built.TrainingDocuments.Keys.Order());
        Assert.NotEmpty(training);
        Assert.DoesNotContain(training, d => chosen.Contains(d.Id));
        // Nor any text: no chunk of the text set occurs inside a training document.
        Assert.DoesNotContain(built.Texts, t => training.Any(d => d.Text.Contains(t.Text, StringComparison.Ordinal)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_set_and_another_seed_another()
    {
        var first = Build(seed: 7).Texts.Select(t => t.Text).ToList();
        Assert.Equal(first, Build(seed: 7).Texts.Select(t => t.Text));
        Assert.NotEqual(first, Build(seed: 8).Texts.Select(t => t.Text));
    }

    [Fact]
    public void A_domain_too_small_for_its_share_is_refused_with_its_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            TextSetBuilder.Build([(Domains[0], Documents(Domains[0], 2))], new TextSetBuildOptions(Count: 50)));
        Assert.Contains("Speeches", error.Message, StringComparison.Ordinal);
    }
}
