using LogLikeMap.Web.Analysis;
using Microsoft.AspNetCore.Components;

namespace LogLikeMap.Web.Components.Analysis;

/// <summary>
/// An analysis page: once its circuit is up it awaits the map's cached findings (computed off the circuit's thread by
/// <see cref="MapAnalysis"/>), and says so while they are computed. The prerendered page only shows the wait: its
/// charts need the browser anyway.
/// </summary>
public abstract class AnalysisPageBase<T> : ComponentBase, IDisposable
    where T : class
{
    private readonly CancellationTokenSource _closing = new();

    [Inject]
    protected MapAnalysis Analysis { get; set; } = default!;

    /// <summary>The result, once computed.</summary>
    protected T? Result { get; private set; }

    /// <summary>Why there is no result, when computing it failed.</summary>
    protected string? Failure { get; private set; }

    protected abstract Task<T> LoadAsync(MapAnalysis analysis, CancellationToken cancellationToken);

    protected override async Task OnInitializedAsync()
    {
        if (!RendererInfo.IsInteractive)
            return;
        try
        {
            Result = await LoadAsync(Analysis, _closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while it waited.
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException or KeyNotFoundException)
        {
            Failure = e.Message;
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
        GC.SuppressFinalize(this);
    }
}
