namespace Databacker.Api.Tests.Shared;

/// <summary>
/// Finds the repository root (the folder holding the solution) from the test's output folder. One file, linked into
/// every test project that reads repository files.
/// </summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Databacker.Api.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Databacker.Api.sln) was not found above the test folder.");
    }
}
