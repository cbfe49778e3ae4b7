using System.Diagnostics.CodeAnalysis;
using Bunit;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Pages;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.DependencyInjection;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class TextsPageTests : ComponentTestContext
{
    // Variances chosen so that no order by another column coincides with the variance order.
    private static readonly TextRow[] Rows =
    [
        new(0, "Speeches", 1010, "Ohio, Pennsylvania", 12.5),
        new(1, "Email", 300, "Dear all", 340.26),
        new(2, "Novel", 1024, "It was a dark night", 2.0),
        new(3, "Speeches", 700, "My fellow citizens", 99.75),
        new(4, "Email", 512, "Meeting moved", 7.125),
    ];

    private readonly FakeModelMapService _map = new([Model("a", "opt", 0, 0)], new Dictionary<string, IReadOnlyList<Neighbour>>());

    public TextsPageTests()
    {
        UseServices(_map);
        Context.Services.AddSingleton<ITextSetService>(new FakeTextSetService(new TextSetTable("pile-10k", "ab12cd", 1018, Rows)));
    }

    private static List<long> IndicesShown(IRenderedComponent<TextsPage> page) =>
        [.. page.FindAll("[data-testid=text-index]").Select(c => long.Parse(c.TextContent, System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void The_header_names_the_text_set_and_counts_texts_models_and_domains()
    {
        var page = RenderPage<TextsPage>();

        // The page reads the table asynchronously before it draws the header.
        page.WaitForAssertion(() => Assert.Equal("pile-10k", page.Find("[data-testid=text-set-name]").TextContent), RenderTimeout);
        var summary = page.Find("[data-testid=text-set-summary]").TextContent;
        Assert.Contains("5 texts", summary, StringComparison.Ordinal);
        Assert.Contains("1,018 models", summary, StringComparison.Ordinal);
        Assert.Equal("ab12cd", page.Find("[data-testid=text-set-hash]").TextContent);
        Assert.Equal(["All domains (5)", "Email (2)", "Speeches (2)", "Novel (1)"],
            page.FindAll("[data-testid=domain-chip]").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public void Rows_come_most_discriminating_first_with_their_columns()
    {
        var page = RenderPage<TextsPage>();

        // The table asks for its first page after its first render.
        page.WaitForAssertion(() =>
        {
            Assert.Equal([1L, 3, 0, 4, 2], IndicesShown(page));
            Assert.Equal(["340.3", "99.75", "12.50", "7.125", "2.000"], page.FindAll("[data-testid=text-variance]").Select(c => c.TextContent));
            Assert.Equal(["Email", "Speeches", "Speeches", "Email", "Novel"], page.FindAll("[data-testid=text-domain]").Select(c => c.TextContent));
            Assert.Equal(["300", "700", "1010", "512", "1024"], page.FindAll("[data-testid=text-bytes]").Select(c => c.TextContent));
            Assert.Equal("Dear all", page.FindAll("[data-testid=text-preview]")[0].TextContent);
        }, RenderTimeout);
    }

    [Fact]
    public void Choosing_a_domain_keeps_only_its_texts_and_all_domains_brings_the_rest_back()
    {
        var page = RenderPage<TextsPage>();
        page.WaitForAssertion(() => Assert.Equal(5, IndicesShown(page).Count), RenderTimeout);

        page.FindAll("[data-testid=domain-chip]").Single(c => c.TextContent.Contains("Speeches", StringComparison.Ordinal)).Click();
        page.WaitForAssertion(() => Assert.Equal([3L, 0], IndicesShown(page)), RenderTimeout);

        page.FindAll("[data-testid=domain-chip]").Single(c => c.TextContent.Contains("All domains", StringComparison.Ordinal)).Click();
        page.WaitForAssertion(() => Assert.Equal([1L, 3, 0, 4, 2], IndicesShown(page)), RenderTimeout);
    }

    [Fact]
    public void Sorting_by_another_column_reorders_the_rows()
    {
        var page = RenderPage<TextsPage>();
        page.WaitForAssertion(() => Assert.Equal(5, IndicesShown(page).Count), RenderTimeout);

        page.FindAll("th .mud-table-sort-label").Single(l => l.TextContent.Contains("Bytes", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal([1L, 4, 3, 0, 2], IndicesShown(page)), RenderTimeout);
    }

    [Fact]
    public async Task A_map_change_waits_for_a_render_only_and_the_new_texts_follow()
    {
        var texts = new HeldTextSetService(new TextSetTable("pile-10k", "ab12cd", 1018, Rows));
        Context.Services.AddSingleton<ITextSetService>(texts);
        var page = RenderPage<TextsPage>();
        page.WaitForAssertion(() => Assert.Equal("pile-10k", page.Find("[data-testid=text-set-name]").TextContent), RenderTimeout);

        // The second read is held: the change must be over before the page has its new texts.
        await _map.ReplaceAsync([Model("a", "opt", 0, 0), Model("b", "llama", 1, 1)]).WaitAsync(RenderTimeout);
        page.WaitForAssertion(() => Assert.Equal(2, texts.Reads), RenderTimeout);
        Assert.Equal("pile-10k", page.Find("[data-testid=text-set-name]").TextContent);

        texts.Release(new TextSetTable("pile-20k", "ef34ab", 1019, Rows[..2]));
        page.WaitForAssertion(() =>
        {
            Assert.Equal("pile-20k", page.Find("[data-testid=text-set-name]").TextContent);
            Assert.Equal([1L, 0], IndicesShown(page));
        }, RenderTimeout);
    }

    [Fact]
    public async Task Closing_the_page_during_a_read_or_before_a_late_notification_raises_nothing()
    {
        var texts = new HeldTextSetService(new TextSetTable("pile-10k", "ab12cd", 1018, Rows));
        var map = new LateMapService(_map);
        Context.Services.AddSingleton<ITextSetService>(texts);
        Context.Services.AddSingleton<IModelMapService>(map);
        var page = RenderPage<TextsPage>();
        page.WaitForAssertion(() => Assert.Equal("pile-10k", page.Find("[data-testid=text-set-name]").TextContent), RenderTimeout);
        await map.NotifyAsync().WaitAsync(RenderTimeout);
        page.WaitForAssertion(() => Assert.Equal(2, texts.Reads), RenderTimeout);

        await Context.DisposeComponentsAsync();
        await texts.ReadCancelled.WaitAsync(RenderTimeout);
        // A publisher that took its list of subscribers before the page unsubscribed still calls it.
        await map.NotifyAsync().WaitAsync(RenderTimeout);

        Assert.False(Context.Renderer.UnhandledException.IsCompleted);
    }

    /// <summary>The fake map, except that its subscribers are called even after they unsubscribe (a publish in flight).</summary>
    private sealed class LateMapService(FakeModelMapService map) : IModelMapService
    {
        private readonly List<Func<Task>> _subscribers = [];

        public MapSnapshot Current => map.Current;

        public IDisposable Subscribe(Func<Task> onChanged)
        {
            _subscribers.Add(onChanged);
            return new StillSubscribed();
        }

        public bool TryGetNeighbours(string modelName, int k, [NotNullWhen(true)] out IReadOnlyList<Neighbour>? neighbours) =>
            map.TryGetNeighbours(modelName, k, out neighbours);

        public Task NotifyAsync() => Task.WhenAll(_subscribers.Select(s => s()));

        /// <summary>The page's unsubscription comes too late for the publish already under way.</summary>
        private sealed class StillSubscribed : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }

    /// <summary>Answers the first read at once and holds the next until the test releases it; a read honours its token.</summary>
    private sealed class HeldTextSetService(TextSetTable first) : ITextSetService
    {
        private readonly TaskCompletionSource<TextSetTable> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public Task ReadCancelled => _cancelled.Task;

        public void Release(TextSetTable table) => _next.SetResult(table);

        public async Task<TextSetTable> CurrentAsync(CancellationToken ct)
        {
            if (Interlocked.Increment(ref _reads) == 1)
                return first;
            try
            {
                return await _next.Task.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                _cancelled.TrySetResult();
                throw;
            }
        }
    }
}
