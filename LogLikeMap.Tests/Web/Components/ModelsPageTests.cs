using Bunit;
using Bunit.TestDoubles;
using LogLikeMap.Core.Map;
using LogLikeMap.Web.Components.Pages;
using LogLikeMap.Web.Security;
using LogLikeMap.Web.Services;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using static LogLikeMap.Tests.Web.Components.TestModels;

namespace LogLikeMap.Tests.Web.Components;

public sealed class ModelsPageTests : ComponentTestContext
{
    private readonly FakeModelMapService _map = new(
        [Model("org/a", "opt", 0, 0), Model("org/b", "gpt2", 1, 0), Model("c", "gpt2", 5, 5)],
        new Dictionary<string, IReadOnlyList<Neighbour>>());

    private readonly BunitAuthorizationContext _auth;

    public ModelsPageTests()
    {
        UseServices(_map);
        _auth = Context.AddAuthorization();
    }

    private void SignInAsAdministrator()
    {
        _auth.SetAuthorized("admin");
        _auth.SetPolicies(AdminPolicy.Name);
    }

    private FakeModelRemoval UseRemoval(Exception? failure = null)
    {
        var removal = new FakeModelRemoval(_map, failure);
        Context.Services.AddSingleton<IModelRemoval>(removal);
        return removal;
    }

    private static IEnumerable<string> NamesShown(IRenderedComponent<ModelsPage> page) =>
        page.FindAll("a[href^='/?model=']").Select(a => a.TextContent.Trim());

    private IEnumerable<string> Snackbars() => Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message).OfType<string>();

    private static void Press(IRenderedComponent<MudDialogProvider> dialogs, string button) =>
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == button).Click();

    private static void ClickDeleteOf(IRenderedComponent<ModelsPage> page, string name)
    {
        // The buttons appear once the page knows the user is an administrator (asked asynchronously).
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=delete-model]"), b => b.GetAttribute("aria-label") == "Delete " + name),
            RenderTimeout);
        page.FindAll("[data-testid=delete-model]").Single(b => b.GetAttribute("aria-label") == "Delete " + name).Click();
    }

    [Fact]
    public void An_administrator_confirms_and_the_model_is_deleted_through_the_service()
    {
        SignInAsAdministrator();
        var removal = UseRemoval();
        var dialogs = Context.Render<MudDialogProvider>();
        var page = RenderPage<ModelsPage>();

        ClickDeleteOf(page, "org/b");
        dialogs.WaitForAssertion(
            () => Assert.Contains("Delete \"org/b\" (gpt2) from the map and the store?", dialogs.Markup, StringComparison.Ordinal), RenderTimeout);
        Press(dialogs, "Delete");

        page.WaitForAssertion(() => Assert.Equal(["org/a", "c"], NamesShown(page)), RenderTimeout);
        Assert.Equal(["org/b"], removal.Removed);
        Assert.Contains("Deleted \"org/b\" from the map and the store.", Snackbars());
    }

    [Fact]
    public void Cancelling_the_confirmation_deletes_nothing()
    {
        SignInAsAdministrator();
        var removal = UseRemoval();
        var dialogs = Context.Render<MudDialogProvider>();
        var page = RenderPage<ModelsPage>();

        ClickDeleteOf(page, "org/a");
        dialogs.WaitForAssertion(() => Assert.Contains("Delete \"org/a\"", dialogs.Markup, StringComparison.Ordinal), RenderTimeout);
        Press(dialogs, "Cancel");

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Delete \"org/a\"", dialogs.Markup, StringComparison.Ordinal), RenderTimeout);
        Assert.Empty(removal.Removed);
        Assert.Equal(["org/a", "org/b", "c"], NamesShown(page));
        Assert.Empty(Snackbars());
    }

    [Fact]
    public void A_failed_delete_says_what_went_wrong_and_keeps_the_row()
    {
        SignInAsAdministrator();
        UseRemoval(new InvalidOperationException("The store is read-only."));
        var dialogs = Context.Render<MudDialogProvider>();
        var page = RenderPage<ModelsPage>();

        ClickDeleteOf(page, "c");
        dialogs.WaitForAssertion(() => Assert.Contains("Delete \"c\"", dialogs.Markup, StringComparison.Ordinal), RenderTimeout);
        Press(dialogs, "Delete");

        page.WaitForAssertion(() => Assert.Contains("Could not delete \"c\": The store is read-only.", Snackbars()), RenderTimeout);
        Assert.Equal(["org/a", "org/b", "c"], NamesShown(page));
    }

    [Fact]
    public void Visitors_who_are_not_signed_in_see_no_delete_button()
    {
        var removal = UseRemoval();

        var page = RenderPage<ModelsPage>();

        page.WaitForAssertion(() => Assert.Equal(["org/a", "org/b", "c"], NamesShown(page)), RenderTimeout);
        Assert.Empty(page.FindAll("[data-testid=delete-model]"));
        Assert.Empty(removal.Removed);
    }
}
