using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace LogLikeMap.Web.Security;

/// <summary>The policy on uploading, deleting, refreshing and the job dashboard: a signed-in administrator or an API key.</summary>
public static class AdminPolicy
{
    public const string Name = "Admin";
    public const string Role = "Admin";

    /// <summary>
    /// Whether the request passes the policy, for endpoints open to everyone that show administrators more. The policy's
    /// own evaluator, so the API key counts as on the endpoints that require it.
    /// </summary>
    public static async Task<bool> IsMetByAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        var policy = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(Name)
            ?? throw new InvalidOperationException($"The authorization policy '{Name}' is not registered.");
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authenticated = await evaluator.AuthenticateAsync(policy, context);
        return (await evaluator.AuthorizeAsync(policy, authenticated, context, resource: null)).Succeeded;
    }
}
