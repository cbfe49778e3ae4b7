using LogLikeMap.Tests.Web.Api;
using Microsoft.AspNetCore.Hosting;

namespace LogLikeMap.Tests.Web.Security;

public sealed class SignInWithoutPasswordTests
{
    [Fact]
    public async Task With_no_admin_password_configured_the_sign_in_page_says_none_is_set_and_how_to_set_one()
    {
        using var app = new WebAppFactory();
        using var unset = app.WithWebHostBuilder(b => b.UseSetting("Security:AdminPasswordHash", ""));
        using var client = unset.CreateClient();

        var page = await client.GetStringAsync("/login?error=invalid");

        Assert.Contains("No administrator password is set on this server", page, StringComparison.Ordinal);
        Assert.Contains("Security__AdminPasswordHash", page, StringComparison.Ordinal);
        Assert.DoesNotContain("The user name or password is wrong", page, StringComparison.Ordinal);

        using var configured = app.CreateClient();
        var normal = await configured.GetStringAsync("/login?error=invalid");
        Assert.Contains("The user name or password is wrong", normal, StringComparison.Ordinal);
        Assert.DoesNotContain("No administrator password is set", normal, StringComparison.Ordinal);
    }
}
