using System.Text;

namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// A domain of the default text set: where its documents come from, under which licence, and which files of
/// the fetched sources (data/text-sources/fetch.sh) are its documents.
/// </summary>
/// <param name="Name">The name written as <c>pile_set_name</c>, like the Pile's subset names.</param>
/// <param name="Slug">A short file-name-safe name (training corpus files, zoo recipe mixtures).</param>
/// <param name="Source">The registry package(s) the documents come from, with versions.</param>
/// <param name="Licence">The licence of the documents (data/README.md repeats it).</param>
/// <param name="Folders">Folders under the sources root that hold the documents.</param>
/// <param name="Includes">Whether a file (path relative to the sources root, '/' separated) is a document.</param>
public sealed record TextDomain(
    string Name,
    string Slug,
    string Source,
    string Licence,
    IReadOnlyList<string> Folders,
    Func<string, bool> Includes)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The domain's documents in ordinal path order, so the split and the sample depend only on the seed.
    /// Files that are not valid UTF-8 (a few old e-mails in Latin-1) are left out rather than altered.
    /// </summary>
    public IReadOnlyList<SourceDocument> ReadDocuments(string sourcesRoot)
    {
        var documents = new List<SourceDocument>();
        foreach (var folder in Folders)
        {
            var root = Path.Combine(sourcesRoot, folder);
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException(
                    $"Text domain '{Name}' expects the folder '{root}'. Fetch the sources first: data/text-sources/fetch.sh {sourcesRoot}");

            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var id = Path.GetRelativePath(sourcesRoot, file).Replace('\\', '/');
                if (!Includes(id))
                    continue;
                string text;
                try
                {
                    text = StrictUtf8.GetString(File.ReadAllBytes(file));
                }
                catch (DecoderFallbackException)
                {
                    continue;
                }
                if (text.Length > 0 && text[0] == '\uFEFF')
                    text = text[1..];
                documents.Add(new SourceDocument(Name, id, text));
            }
        }
        documents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return documents;
    }
}
