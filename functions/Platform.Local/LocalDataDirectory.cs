namespace Platform.Local;

/// <summary>
/// The folder where the local host keeps its data across runs (Azurite's files and the admin key printed the first
/// time), held with a lock file so that a second local host over the same folder stops with a clear message instead
/// of running a second Azurite over the same files.
/// </summary>
public sealed class LocalDataDirectory : IDisposable
{
    private readonly FileStream _lock;

    private LocalDataDirectory(string path, FileStream heldLock)
    {
        Path = path;
        _lock = heldLock;
    }

    /// <summary>The folder (absolute).</summary>
    public string Path { get; }

    /// <summary>Azurite's files.</summary>
    public string AzuriteDirectory => System.IO.Path.Combine(Path, "azurite");

    /// <summary>The kept admin key (readable by this user only).</summary>
    public string AdminKeyPath => System.IO.Path.Combine(Path, "admin-key");

    /// <summary>Creates (if needed) and locks the folder.</summary>
    /// <exception cref="InvalidOperationException">Another local host holds it.</exception>
    public static LocalDataDirectory Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
        }
        else
        {
            // The records and the admin key are the user's: not readable by other local users.
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        try
        {
            var heldLock = new FileStream(System.IO.Path.Combine(full, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new LocalDataDirectory(full, heldLock);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another local host uses {full}: stop it, or choose another folder (--Platform:Local:DataDirectory=…), or run in memory (--in-memory).", e);
        }
    }

    /// <summary>The admin key kept by an earlier run, or null.</summary>
    public string? ReadAdminKey() => File.Exists(AdminKeyPath) && File.ReadAllText(AdminKeyPath).Trim() is { Length: > 0 } key ? key : null;

    /// <summary>Keeps the admin key for the next runs, readable and writable by this user only.</summary>
    public void WriteAdminKey(string key)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(AdminKeyPath, System.Text.Encoding.UTF8, options))
        {
            file.Write(key);
        }

        if (!OperatingSystem.IsWindows())
        {
            // Also when the file was there before (created with other permissions).
            File.SetUnixFileMode(AdminKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();
}
