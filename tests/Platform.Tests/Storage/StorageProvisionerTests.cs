using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Core.Log;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Tests.Storage;

/// <summary>Start-up provisioning never takes the app down: transient failures are retried, lasting ones logged.</summary>
public sealed class StorageProvisionerTests
{
    private sealed class FailingStore(int transientFailures, bool forbidden) : IProvisionedStore
    {
        public int Calls { get; private set; }

        public Task EnsureCreatedAsync(CancellationToken cancellationToken)
        {
            Calls++;
            if (forbidden)
            {
                throw new RequestFailedException(403, "This request is not authorized to perform this operation.");
            }

            return Calls <= transientFailures ? throw new RequestFailedException(503, "Server busy") : Task.CompletedTask;
        }
    }

    private static IHostedService Provisioner(IEnumerable<IProvisionedStore> stores, bool provision = true)
    {
        var services = new ServiceCollection().AddLogging();
        foreach (IProvisionedStore store in stores)
        {
            services.AddSingleton(store);
        }

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new StorageOptions { ProvisionAtStart = provision }));
        services.AddLogEngine();
        return services.BuildServiceProvider().GetServices<IHostedService>().Single(s => s.GetType().Name == "StorageProvisioner");
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_a_lasting_one_does_not_stop_start_up()
    {
        var flaky = new FailingStore(transientFailures: 2, forbidden: false);
        var forbidden = new FailingStore(0, forbidden: true);
        var fine = new FailingStore(0, forbidden: false);
        await Provisioner([forbidden, flaky, fine]).StartAsync(default); // never throws
        Assert.Equal(3, flaky.Calls); // two 503s, then created
        Assert.Equal(1, forbidden.Calls); // a 403 is not retried: logged, start-up goes on
        Assert.Equal(1, fine.Calls); // and the stores after it are still created
    }

    [Fact]
    public async Task Provisioning_can_be_left_to_infra()
    {
        var store = new FailingStore(0, forbidden: false);
        await Provisioner([store], provision: false).StartAsync(default);
        Assert.Equal(0, store.Calls);
    }
}
