using Platform.Functions;
using Platform.Functions.Http;
using Platform.Local.Azurite;
using Platform.Local.Functions;

namespace Platform.Local;

/// <summary>
/// The local host: the Functions app's own function classes on Kestrel, with Azurite started when no
/// storage is configured (and stopped with the host).
/// </summary>
public sealed class LocalPlatform : IAsyncDisposable
{
    /// <summary>Default address of the Functions routes, where <c>func start</c> would serve them.</summary>
    public const string DefaultUrls = "http://127.0.0.1:7071";

    private readonly WebApplication _app;
    private readonly AzuriteServer? _azurite;

    private LocalPlatform(WebApplication app, AzuriteServer? azurite, IReadOnlyList<LocalFunction> functions)
    {
        _app = app;
        _azurite = azurite;
        Functions = functions;
    }

    /// <summary>The functions this host serves.</summary>
    public IReadOnlyList<LocalFunction> Functions { get; }

    /// <summary>The running app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The addresses the host listens on, with real ports (after start).</summary>
    public IReadOnlyList<string> Urls =>
        [.. _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? []];

    /// <summary>Runs until Ctrl+C, then stops Azurite if it started one.</summary>
    public static async Task RunAsync(string[] args)
    {
        await using LocalPlatform platform = await CreateAsync(args, CancellationToken.None);
        await platform._app.RunAsync();
    }

    /// <summary>Builds the host (starting Azurite if needed) without starting it.</summary>
    public static async Task<LocalPlatform> CreateAsync(string[] args, CancellationToken cancellationToken, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        AzuriteServer? azurite = null;
        if (string.IsNullOrWhiteSpace(builder.Configuration["Platform:Storage:ConnectionString"]))
        {
            azurite = await AzuriteServer.StartAsync(cancellationToken);
            builder.Configuration["Platform:Storage:ConnectionString"] = azurite.ConnectionString;
            Console.WriteLine($"Azurite (in memory) on blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort}.");
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["Platform:Auth:AdminKey"]))
        {
            // First run on a fresh machine: a key to start with, printed once (set Platform__Auth__AdminKey to choose it).
            string generated = "local-admin-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            builder.Configuration["Platform:Auth:AdminKey"] = generated;
            Console.WriteLine($"Admin API key for this run: {generated}");
            Console.WriteLine("  (set Platform__Auth__AdminKey to choose your own; create narrower keys with POST /api/keys)");
        }

        try
        {
            builder.WebHost.UseUrls(builder.Configuration["Platform:Local:Urls"] ?? DefaultUrls);
            builder.Services.AddPlatformFunctions(builder.Configuration);
            WebApplication app = builder.Build();
            IReadOnlyList<LocalFunction> functions = FunctionCatalog.Discover(typeof(HealthFunction).Assembly);
            HttpFunctionEndpoints.Map(app, functions, HostJson.RoutePrefix(AppContext.BaseDirectory));
            return new LocalPlatform(app, azurite, functions);
        }
        catch
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Starts serving.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
