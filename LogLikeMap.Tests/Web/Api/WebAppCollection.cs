namespace LogLikeMap.Tests.Web.Api;

/// <summary>
/// Test classes that start the web app run one after another: Hangfire keeps its job storage in a
/// process-wide static, so two apps started side by side could run each other's jobs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WebAppCollection
{
    public const string Name = "Web app";
}
