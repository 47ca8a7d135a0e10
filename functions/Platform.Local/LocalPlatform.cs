using Platform.Core;
using Platform.Local.Azurite;

namespace Platform.Local;

/// <summary>The local host: the platform on Kestrel, with Azurite started when no storage is configured.</summary>
public static class LocalPlatform
{
    /// <summary>Default address of the Functions routes, where <c>func start</c> would serve them.</summary>
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <summary>Runs until Ctrl+C (or the token), then stops Azurite if it started one.</summary>
    public static async Task RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        AzuriteServer? azurite = null;
        if (string.IsNullOrWhiteSpace(builder.Configuration["Platform:Storage:ConnectionString"]))
        {
            azurite = await AzuriteServer.StartAsync(cancellationToken);
            builder.Configuration["Platform:Storage:ConnectionString"] = azurite.ConnectionString;
            Console.WriteLine($"Azurite (in memory) on blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort}.");
        }

        try
        {
            builder.WebHost.UseUrls(builder.Configuration["Platform:Local:Urls"] ?? DefaultUrls);
            builder.Services.AddPlatform(builder.Configuration);
            WebApplication app = builder.Build();
            app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
            await app.RunAsync(cancellationToken);
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }
}
