using System.Security.Cryptography;
using System.Text;

namespace LogLikeMap.Web.Security;

/// <summary>
/// API keys are long random strings, so a plain SHA-256 (lower-case hex) is enough to keep them out of
/// configuration in the clear (no salt or stretching needed for high-entropy secrets). Make one with
/// <c>printf %s "$KEY" | sha256sum</c>.
/// </summary>
public static class ApiKeyHash
{
    public static string Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Compares in fixed time against every configured hash, so timing tells nothing about which matched.</summary>
    public static bool Matches(string key, IEnumerable<string> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var actual = Encoding.ASCII.GetBytes(Of(key));
        var matched = false;
        foreach (var hash in hashes)
            matched |= CryptographicOperations.FixedTimeEquals(actual, Encoding.ASCII.GetBytes(hash.Trim().ToLowerInvariant()));
        return matched;
    }
}
