using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers;
using Platform.Core.Options;

namespace Platform.Core.Storage;

/// <summary>Creates the wake-up queue.</summary>
internal sealed class WakeupQueueProvisioner(IConfiguration configuration, IOptions<StorageOptions> storage, IOptions<ConsumerOptions> consumers) : IProvisionedStore
{
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await Azure.StorageClients.WakeupQueue(configuration, storage.Value, consumers.Value.WakeupQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
}
