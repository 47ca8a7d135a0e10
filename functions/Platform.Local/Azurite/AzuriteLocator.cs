namespace Platform.Local.Azurite;

/// <summary>Finds the Azurite that <c>npm ci</c> installed from the repository's package.json.</summary>
public static class AzuriteLocator
{
    private const string Script = "node_modules/azurite/dist/src/azurite.js";

    /// <summary>Full path of azurite.js, looked for above the app's folder and the current directory.</summary>
    /// <exception cref="InvalidOperationException">Not installed.</exception>
    public static string FindScript()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, Script);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException(
            "Azurite is not installed. It comes from the repository's package.json: run 'npm ci' in the repository root " +
            "(the build does this by itself when node_modules/azurite is missing), or set Platform:Storage:ConnectionString to real storage.");
    }
}
