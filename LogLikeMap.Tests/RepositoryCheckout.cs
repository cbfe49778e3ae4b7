namespace LogLikeMap.Tests;

/// <summary>The checkout the tests were built from: the first folder above the test binaries that holds LogLikeMap.sln.</summary>
public static class RepositoryCheckout
{
    public static string Root
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "LogLikeMap.sln")))
                    return folder.FullName;
            }
            throw new DirectoryNotFoundException($"No LogLikeMap.sln above {AppContext.BaseDirectory}: the tests read the repository's own files.");
        }
    }
}
