using LogLikeMap.Store.Catalog;
using LogLikeMap.Core.Map;

namespace LogLikeMap.Web.Services;

/// <summary>The current map's text set with each text's variance across models (the texts page and GET /api/texts).</summary>
public interface ITextSetService
{
    /// <summary>Computed once per map version and shared by every reader until the map changes.</summary>
    Task<TextSetTable> CurrentAsync(CancellationToken ct);
}

/// <summary>
/// Builds the <see cref="TextSetTable"/> of the current map snapshot on first request and keeps it until a
/// placement, removal or refresh publishes a new snapshot (a state that only gains its neighbour index keeps
/// the snapshot, its rows and Q). The variances are taken over the q of every model on the map
/// (<see cref="TextVariance"/>); the texts are read from the store once per text set, since a new snapshot changes
/// the variances but never the texts.
/// </summary>
internal sealed class TextSetService(ModelMapService map, TextSetCatalog textSets) : ITextSetService
{
    private readonly Lock _gate = new();
    private MapSnapshot? _builtFor;
    private Task<TextSetTable> _table = Task.FromResult(TextSetTable.Empty);
    private ShownTexts? _texts;

    /// <summary>What the table shows of a text set's texts, by index.</summary>
    private sealed record ShownTexts(int TextSetId, string Name, string ContentHash, Dictionary<long, (int ByteLength, string Preview)> ByIndex);

    public Task<TextSetTable> CurrentAsync(CancellationToken ct)
    {
        var state = map.State;
        lock (_gate)
        {
            // One build per snapshot, shared: a reader that gives up (ct) leaves it running for the others.
            if (!ReferenceEquals(state.Snapshot, _builtFor) || _table.IsFaulted || _table.IsCanceled)
            {
                _builtFor = state.Snapshot;
                _table = Task.Run(() => BuildAsync(state, CancellationToken.None), CancellationToken.None);
            }
            return _table.WaitAsync(ct);
        }
    }

    private async Task<TextSetTable> BuildAsync(MapState state, CancellationToken ct)
    {
        var models = state.Snapshot.Models.Count;
        var columns = state.Texts.Indices;
        if (models == 0 || columns.Count == 0)
            return TextSetTable.Empty;

        var texts = await TextsOfAsync(state.Texts.TextSetId, ct);
        var variances = TextVariance.AcrossModels(models, columns.Count, state.Q);
        var rows = new TextRow[columns.Count];
        for (var s = 0; s < rows.Length; s++)
        {
            var (byteLength, preview) = texts.ByIndex[columns[s]];
            rows[s] = new TextRow(columns[s], state.Texts.Domains[s], byteLength, preview, variances[s]);
        }
        return new TextSetTable(texts.Name, texts.ContentHash, models, rows);
    }

    // Builds for successive snapshots may overlap, so the cache is replaced whole, never edited: overlapping builds
    // read the store once more at worst. A stored text set never changes (its id names one content hash).
    private async Task<ShownTexts> TextsOfAsync(int textSetId, CancellationToken ct)
    {
        if (Volatile.Read(ref _texts) is { } cached && cached.TextSetId == textSetId)
            return cached;
        var stored = (await textSets.ListAsync(ct)).Single(t => t.Id == textSetId);
        var byIndex = (await textSets.LoadTextsAsync(stored.Id, ct)).Texts
            .ToDictionary(t => t.Index, t => (t.ByteLength, TextSetTable.PreviewOf(t.Text)));
        var texts = new ShownTexts(textSetId, stored.Name, stored.ContentHash, byIndex);
        Volatile.Write(ref _texts, texts);
        return texts;
    }
}
