using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

/// <summary>
/// Who may upload, delete, refresh and open the job dashboard (configuration section "Security").
/// Nothing is configured by default: then no one can sign in and only browsing works. Set the
/// environment variables <c>Security__AdminPasswordHash</c> (and <c>Security__AdminUser</c>) or
/// <c>Security__ApiKeyHashes__0</c>; README.md shows how to make the hashes.
/// </summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    public string AdminUser { get; set; } = "admin";

    /// <summary>A <see cref="PasswordHash"/> text (pbkdf2-sha256$...); empty disables password sign-in.</summary>
    public string? AdminPasswordHash { get; set; }

    /// <summary>SHA-256 hex hashes of the accepted X-Api-Key values.</summary>
    public IList<string> ApiKeyHashes { get; } = [];

    /// <summary>
    /// Sign-in attempts one address may make per minute: each costs a PBKDF2 of hundreds of thousands of rounds, so
    /// unlimited attempts would both guess passwords and tie up the CPU.
    /// </summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AdminUser))
            failures.Add("Security:AdminUser is empty; set it to the administrator's user name.");
        if (!string.IsNullOrEmpty(options.AdminPasswordHash) && !PasswordHash.IsWellFormed(options.AdminPasswordHash))
        {
            failures.Add("Security:AdminPasswordHash is not of the form pbkdf2-sha256$ITERATIONS$SALT$HASH (base64); " +
                "make one as README.md shows under 'Administrator'.");
        }
        if (options.SignInAttemptsPerMinute < 1)
            failures.Add("Security:SignInAttemptsPerMinute must be at least 1.");
        foreach (var hash in options.ApiKeyHashes)
        {
            if (hash.Trim().Length != 64 || !hash.Trim().All(Uri.IsHexDigit))
                failures.Add("Every Security:ApiKeyHashes entry must be a SHA-256 hex digest (64 hex digits): printf %s \"$KEY\" | sha256sum.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
