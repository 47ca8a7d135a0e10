using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Options;

namespace Platform.Core.Storage;

/// <summary>
/// Creates the containers, tables and queues the stores need when the host starts (infra creates them too; turn this
/// off with <c>Platform:Storage:ProvisionAtStart=false</c> to save the calls on every cold start). Never takes the app
/// down: a transient failure is retried a few times, and one that stays (a missing role, a firewall) is logged with
/// what failed, and start-up goes on: the requests that need the store answer with the error until it is fixed,
/// instead of the worker restarting in a loop.
/// </summary>
internal sealed partial class StorageProvisioner(IEnumerable<IProvisionedStore> stores, IOptions<StorageOptions> options, TimeProvider time, ILogger<StorageProvisioner> logger) : IHostedService
{
    private const int Attempts = 3;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ProvisionAtStart)
        {
            return;
        }

        foreach (IProvisionedStore store in stores)
        {
            await ProvisionAsync(store, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ProvisionAsync(IProvisionedStore store, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < Attempts && StorageErrors.IsTransient(ex, cancellationToken))
            {
                LogRetrying(logger, ex, store.GetType().Name, attempt);
                await Task.Delay(TimeSpan.FromSeconds(1 << (attempt - 1)), time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, ex, store.GetType().Name);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating the storage of {Store} failed (attempt {Attempt}); retrying")]
    private static partial void LogRetrying(ILogger logger, Exception exception, string store, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create the storage of {Store}; the app starts anyway and its requests fail until storage is reachable and the app's identity may create or use it (check roles and firewall, or create it in infra)")]
    private static partial void LogFailed(ILogger logger, Exception exception, string store);
}
