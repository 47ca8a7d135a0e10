namespace Platform.Tests.Fixtures;

/// <summary>
/// Golden files: a format the platform emits to others is pinned by a file under <c>golden/</c> beside its test, so
/// that a change to it is a visible diff. <c>PLATFORM_UPDATE_GOLDEN=1 dotnet test</c> rewrites them from the code.
/// </summary>
public static class Golden
{
    /// <summary>Asserts <paramref name="actual"/> equals the golden file <paramref name="relativePath"/> (from the test project's root).</summary>
    public static void Matches(string relativePath, string actual)
    {
        if (Environment.GetEnvironmentVariable("PLATFORM_UPDATE_GOLDEN") == "1")
        {
            string source = Path.Combine(RepositoryRoot(), "tests", "Platform.Tests", relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual.TrimEnd() + "\n");
            return;
        }

        string path = Path.Combine(AppContext.BaseDirectory, relativePath);
        Assert.True(File.Exists(path), $"Golden file {relativePath} is missing; run PLATFORM_UPDATE_GOLDEN=1 dotnet test to write it.");
        Assert.Equal(File.ReadAllText(path).Trim().ReplaceLineEndings("\n"), actual.Trim().ReplaceLineEndings("\n"));
    }

    /// <summary>The repository root (where Platform.sln is), above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found.");
    }
}
