using Platform.Local;

namespace Platform.Tests.Fixtures;

/// <summary>The local host on a free port over the collection's Azurite, with its own container and tables.</summary>
public sealed class LocalHost : IAsyncDisposable
{
    private LocalHost(LocalPlatform platform, HttpClient client, Uri otlpHttp, Uri otlpGrpc)
    {
        Platform = platform;
        Client = client;
        OtlpHttp = otlpHttp;
        OtlpGrpc = otlpGrpc;
    }

    /// <summary>The OTLP/HTTP base address (as the Collector's 4318).</summary>
    public Uri OtlpHttp { get; }

    /// <summary>The OTLP/gRPC address (as the Collector's 4317).</summary>
    public Uri OtlpGrpc { get; }

    public const string AdminKey = "test-admin-key-0123456789";

    public LocalPlatform Platform { get; }

    /// <summary>A client without credentials, for auth tests.</summary>
    public HttpClient Anonymous(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        return client;
    }

    public HttpClient Client { get; }

    public static Task<LocalHost> StartAsync(AzuriteFixture azurite, string testName, params (string Key, string Value)[] settings) =>
        StartAsync(azurite, testName, null, settings);

    public static async Task<LocalHost> StartAsync(AzuriteFixture azurite, string testName, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure, params (string Key, string Value)[] settings)
    {
        string[] args =
        [
            $"--Platform:Storage:ConnectionString={azurite.ConnectionString}",
            $"--Platform:Storage:LogContainer={TestNames.Container(testName)}",
            $"--Platform:Storage:TablePrefix={TestNames.TablePrefix(testName)}",
            "--Platform:Local:Urls=http://127.0.0.1:0",
            "--Platform:Local:OtlpHttpUrl=http://127.0.0.1:0",
            "--Platform:Local:OtlpGrpcUrl=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Platform:Consumers:WakeupQueue=w-{Guid.NewGuid():N}", // short: room for its "-poison" queue
            $"--Platform:Auth:AdminKey={AdminKey}",
            .. settings.Select(s => $"--{s.Key}={s.Value}"),
        ];
        LocalPlatform platform = await LocalPlatform.CreateAsync(args, CancellationToken.None, configure);
        await platform.StartAsync(CancellationToken.None);
        var client = new HttpClient { BaseAddress = platform.Endpoints.BoundFunctions };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return new LocalHost(platform, client, platform.Endpoints.BoundOtlpHttp!, platform.Endpoints.BoundOtlpGrpc!);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Platform.DisposeAsync();
    }
}
