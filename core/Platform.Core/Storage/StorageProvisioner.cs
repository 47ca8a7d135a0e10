using Microsoft.Extensions.Hosting;

namespace Platform.Core.Storage;

/// <summary>Creates the containers and tables the stores need when the host starts.</summary>
internal sealed class StorageProvisioner(IEnumerable<IProvisionedStore> stores) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (IProvisionedStore store in stores)
        {
            await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
