using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LogLikeMap.Web.Options;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace LogLikeMap.Web.Security;

/// <summary>
/// The administrator's sign-ins as the server knows them, so that a sign-in cookie can be revoked: the cookie itself is
/// a sealed ticket that is valid wherever it is replayed until it expires. Each sign-in gets a random session id in its
/// cookie; signing out forgets it, and every request's cookie must name a session still known. The cookie also carries
/// a stamp of the configured user and password hash, so changing the password ends every session at once.
/// </summary>
/// <remarks>
/// Kept in <c>DataFolder/admin-sessions.json</c> (so a restart signs no one out), as SHA-256 hashes of the ids: the file
/// alone lets no one in. A session lasts as long as its cookie: <see cref="Lifetime"/> after its last renewal (the
/// cookie handler renews a sliding cookie once half of it has passed, and the session is renewed with it).
/// </remarks>
public sealed class AdminSessions
{
    public const string SessionClaim = "loglikemap:session";
    public const string StampClaim = "loglikemap:stamp";

    /// <summary>The sign-in cookie's sliding lifetime, and so a session's.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly string _file;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    /// <summary>Session id hash -> when the session was started or last renewed.</summary>
    private readonly Dictionary<string, DateTimeOffset> _active;

    public AdminSessions(DataPaths paths, TimeProvider time, ILogger<AdminSessions> logger)
    {
        ArgumentNullException.ThrowIfNull(paths);
        (_file, _time) = (Path.Combine(paths.DataFolder, "admin-sessions.json"), time);
        _active = Load(_file, logger);
    }

    /// <summary>The claims a new sign-in's cookie carries: a fresh session id and the stamp of the current password.</summary>
    public IReadOnlyList<Claim> Start(SecurityOptions options)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        lock (_lock)
        {
            _active[HashOf(id)] = _time.GetUtcNow();
            Save();
        }
        return [new Claim(SessionClaim, id), new Claim(StampClaim, StampOf(options))];
    }

    /// <summary>Forgets the session of this principal's cookie: the cookie no longer signs anyone in, wherever it was copied.</summary>
    public void End(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirstValue(SessionClaim) is not { } id)
            return;
        lock (_lock)
        {
            if (_active.Remove(HashOf(id)))
                Save();
        }
    }

    /// <summary>
    /// Whether a cookie's principal still names a live session under the current password; <paramref name="renewing"/>
    /// (the cookie is about to be reissued) extends the session with it.
    /// </summary>
    public bool IsValid(ClaimsPrincipal user, SecurityOptions options, bool renewing)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirstValue(SessionClaim) is not { } id || user.FindFirstValue(StampClaim) is not { } stamp
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stamp), Encoding.ASCII.GetBytes(StampOf(options))))
        {
            return false;
        }
        var hash = HashOf(id);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_active.TryGetValue(hash, out var renewed) || now - renewed > Lifetime)
                return false;
            if (renewing)
            {
                _active[hash] = now;
                Save();
            }
            return true;
        }
    }

    /// <summary>The cookie handler's check of every request's cookie: a revoked one signs the request out.</summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue;
        if (context.Principal is { } user && services.GetRequiredService<AdminSessions>().IsValid(user, options, context.ShouldRenew))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Changes with the user name or the password hash (a new salt too): a changed password ends old sessions.</summary>
    internal static string StampOf(SecurityOptions options) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{options.AdminUser}\n{options.AdminPasswordHash}")));

    private static string HashOf(string sessionId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)));

    /// <summary>Writes the live sessions (expired ones dropped) through a temporary file, so a crash leaves the old list whole.</summary>
    private void Save()
    {
        var now = _time.GetUtcNow();
        foreach (var expired in _active.Where(s => now - s.Value > Lifetime).Select(s => s.Key).ToList())
            _active.Remove(expired);
        var temporary = _file + ".tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(_active, Json));
            File.Move(temporary, _file, overwrite: true);
        }
        catch (IOException)
        {
            // A full disk: the sign-in or sign-out fails and says so, and leaves no half-written list behind.
            File.Delete(temporary);
            throw;
        }
    }

    private static Dictionary<string, DateTimeOffset> Load(string file, ILogger logger)
    {
        if (!File.Exists(file))
            return new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        try
        {
            return new Dictionary<string, DateTimeOffset>(
                JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(File.ReadAllText(file), Json) ?? [], StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            // Unreadable sessions sign everyone out, the safe side; the next sign-in writes the file afresh.
            logger.LogWarning(e, "The session file {File} is unreadable; every administrator must sign in again.", file);
            return new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }
    }
}
