using LogLikeMap.Tests.Web.Api;

namespace LogLikeMap.Tests.Web.Analysis;

/// <summary>The web app seeded from a fresh <see cref="AnalysisMap"/> folder (its scores.csv read as the demo map's).</summary>
public sealed class AnalysisMapApp : IDisposable
{
    public AnalysisMapApp()
    {
        Folder = AnalysisMap.Create();
        Factory = WebAppFactory.With(new Dictionary<string, string> { ["Data:DemoMapFolder"] = Folder });
    }

    public string Folder { get; }

    public WebAppFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
