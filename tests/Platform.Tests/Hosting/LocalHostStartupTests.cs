using System.Net;
using System.Net.Sockets;
using Platform.Local;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>A local host that cannot start says why and exits 1, instead of crashing with a stack trace.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostStartupTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_taken_port_is_named_with_the_setting_that_moves_it_and_the_exit_code_is_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        string test = nameof(A_taken_port_is_named_with_the_setting_that_moves_it_and_the_exit_code_is_1);
        using var error = new StringWriter();
        Task<int> run = LocalPlatform.RunAsync(
        [
            $"--Platform:Storage:ConnectionString={azurite.ConnectionString}",
            $"--Platform:Storage:LogContainer={TestNames.Container(test)}",
            $"--Platform:Storage:TablePrefix={TestNames.TablePrefix(test)}",
            $"--Platform:Local:Urls=http://127.0.0.1:{port}",
            "--Platform:Local:OtlpHttpUrl=http://127.0.0.1:0",
            "--Platform:Local:OtlpGrpcUrl=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=None",
            $"--Platform:Consumers:WakeupQueue=w-{Guid.NewGuid():N}",
            $"--Platform:Auth:AdminKey={LocalHost.AdminKey}",
        ], error);

        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(90))));
        Assert.Equal(1, await run);
        string said = error.ToString();
        Assert.Contains($"127.0.0.1:{port}", said, StringComparison.Ordinal);
        Assert.Contains("address already in use", said, StringComparison.Ordinal);
        Assert.Contains("--Platform:Local:Urls=", said, StringComparison.Ordinal);
    }
}
