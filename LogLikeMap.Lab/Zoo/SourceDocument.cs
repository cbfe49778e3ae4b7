namespace LogLikeMap.Lab.Zoo;

/// <summary>
/// One whole document of a text domain (a speech, a chapter, an e-mail, a source file, a manual page).
/// The document is the unit of the split between the text set and the training corpus, so no training
/// text ever shares a document with a chunk of the text set.
/// </summary>
/// <param name="Domain">The domain's name, written as <c>pile_set_name</c>.</param>
/// <param name="Id">The document's path inside the domain's source folder, unique within the domain.</param>
/// <param name="Text">The document's text.</param>
public sealed record SourceDocument(string Domain, string Id, string Text);
