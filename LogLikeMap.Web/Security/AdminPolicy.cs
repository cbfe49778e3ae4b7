namespace LogLikeMap.Web.Security;

/// <summary>The policy on uploading, deleting, refreshing and the job dashboard: a signed-in administrator or an API key.</summary>
public static class AdminPolicy
{
    public const string Name = "Admin";
    public const string Role = "Admin";
}
