using Platform.Local.Azurite;

namespace Platform.Benchmarks.Hosts;

/// <summary>
/// Azurite in memory, restarted for every section of the run. In memory it keeps deleted data until its mark-and-sweep,
/// which runs every ten minutes and, over the gigabytes a full run writes, stops it answering for minutes; no section
/// may measure that, nor inherit another section's leftovers.
/// </summary>
internal sealed class FreshAzurite : IAsyncDisposable
{
    private AzuriteServer _server;

    private FreshAzurite(AzuriteServer server) => _server = server;

    public string ConnectionString => _server.ConnectionString;

    public int ProcessId => _server.ProcessId;

    public static async Task<FreshAzurite> StartAsync() => new(await AzuriteServer.StartAsync(CancellationToken.None));

    /// <summary>Stops this Azurite and starts an empty one.</summary>
    public async Task RenewAsync()
    {
        await _server.DisposeAsync();
        _server = await AzuriteServer.StartAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
