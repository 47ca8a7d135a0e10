using Platform.Core.Consumers;
using Platform.Core.Ingestion;
using Platform.Core.Options;
using Platform.Core.Security;
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
    private readonly WebApplication _app;
    private readonly AzuriteServer? _azurite;
    private readonly LocalDataDirectory? _data;

    private LocalPlatform(WebApplication app, AzuriteServer? azurite, LocalDataDirectory? data, IReadOnlyList<LocalFunction> functions, LocalEndpoints endpoints)
    {
        _app = app;
        _azurite = azurite;
        _data = data;
        Functions = functions;
        Endpoints = endpoints;
    }

    /// <summary>Where the host listens; the Bound* addresses carry the real ports after start.</summary>
    public LocalEndpoints Endpoints { get; }

    /// <summary>The functions this host serves.</summary>
    public IReadOnlyList<LocalFunction> Functions { get; }

    /// <summary>The running app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Runs until Ctrl+C, then stops Azurite if it started one. Returns the exit code: 1, saying why on
    /// <paramref name="error"/>, when an address it should listen on is taken.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await using LocalPlatform platform = await CreateAsync(args, CancellationToken.None);
            await platform.StartAsync(CancellationToken.None);
            await platform._app.WaitForShutdownAsync();
            return 0;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await error.WriteLineAsync(
                $"{e.Message} Another program listens there (perhaps another local host): stop it, or choose other addresses with --{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.Urls)}=…, --{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.OtlpHttpUrl)}=… and --{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.OtlpGrpcUrl)}=….");
            return 1;
        }
    }

    /// <summary>Builds the host (starting Azurite if needed) without starting it.</summary>
    public static async Task<LocalPlatform> CreateAsync(string[] args, CancellationToken cancellationToken, Action<WebApplicationBuilder>? configure = null)
    {
        // "--verbose" is a switch: the command-line configuration wants key=value.
        args = [.. args.Select(a => a switch
        {
            "--verbose" => $"--{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.Verbose)}=true",
            "--in-memory" => $"--{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.InMemory)}=true",
            _ => a,
        })];
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        LocalHostOptions local = builder.Configuration.GetSection(LocalHostOptions.SectionName).Get<LocalHostOptions>() ?? new LocalHostOptions();
        if (!local.Verbose)
        {
            // Six information lines per request flood the console under any load (and cost throughput).
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        AzuriteServer? azurite = null;
        LocalDataDirectory? data = null;
        string connectionKey = $"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}";
        string adminKey = $"{AuthOptions.SectionName}:{nameof(AuthOptions.AdminKey)}";
        if (string.IsNullOrWhiteSpace(builder.Configuration[connectionKey]))
        {
            if (!local.InMemory)
            {
                data = LocalDataDirectory.Open(local.DataDirectory);
            }

            azurite = await AzuriteServer.StartAsync(cancellationToken, data?.AzuriteDirectory);
            builder.Configuration[connectionKey] = azurite.ConnectionString;
            Console.WriteLine(data is null
                ? $"Azurite (in memory: nothing is kept) on blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort}."
                : $"Azurite on blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort}; data kept in {data.Path} (--in-memory for a throwaway run).");
            if (data is not null && string.IsNullOrWhiteSpace(builder.Configuration[adminKey]) && data.ReadAdminKey() is { } kept)
            {
                builder.Configuration[adminKey] = kept;
                Console.WriteLine($"Admin API key: the one kept in {data.AdminKeyPath}");
            }
        }

        // As on Azure, where the Functions host always has it: the queue trigger's connection (the same account here).
        builder.Configuration[WakeupMessage.ConnectionSetting] ??= builder.Configuration[connectionKey];

        if (string.IsNullOrWhiteSpace(builder.Configuration[adminKey]))
        {
            // First run on a fresh machine: a key to start with, printed once and kept with the data (set Platform__Auth__AdminKey to choose it).
            string generated = "local-admin-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            builder.Configuration[adminKey] = generated;
            data?.WriteAdminKey(generated);
            Console.WriteLine(data is null ? $"Admin API key for this run: {generated}" : $"Admin API key: {generated} (kept in {data.AdminKeyPath})");
            Console.WriteLine("  (set Platform__Auth__AdminKey to choose your own; create narrower keys with POST /api/keys)");
        }

        // Settings the Functions host reads from app settings for binding expressions: the options' defaults here.
        var consumerDefaults = new ConsumerOptions();
        builder.Configuration[$"{ConsumerOptions.SectionName}:{nameof(ConsumerOptions.WakeupQueue)}"] ??= consumerDefaults.WakeupQueue;
        builder.Configuration[$"{ConsumerOptions.SectionName}:{nameof(ConsumerOptions.SweepSchedule)}"] ??= consumerDefaults.SweepSchedule;
        builder.Configuration[$"{Platform.Core.Alerting.AlertingOptions.SectionName}:{nameof(Platform.Core.Alerting.AlertingOptions.EvaluationSchedule)}"] ??=
            new Platform.Core.Alerting.AlertingOptions().EvaluationSchedule;
        builder.Configuration[$"{LogOptions.SectionName}:{nameof(LogOptions.RetentionSchedule)}"] ??= new LogOptions().RetentionSchedule;
        builder.Configuration[$"{LogOptions.SectionName}:{nameof(LogOptions.CompactionSchedule)}"] ??= new LogOptions().CompactionSchedule;
        builder.Configuration[$"{LogOptions.SectionName}:{nameof(LogOptions.KeyedViewSchedule)}"] ??= new LogOptions().KeyedViewSchedule;
        builder.Configuration[$"{Platform.Core.Streams.StreamOptions.SectionName}:{nameof(Platform.Core.Streams.StreamOptions.Schedule)}"] ??= new Platform.Core.Streams.StreamOptions().Schedule;
        builder.Configuration[$"{Platform.Core.Consumers.Notifications.NotificationOptions.SectionName}:{nameof(Platform.Core.Consumers.Notifications.NotificationOptions.DispatchSchedule)}"] ??=
            new Platform.Core.Consumers.Notifications.NotificationOptions().DispatchSchedule;

        try
        {
            LocalEndpoints endpoints = LocalEndpoints.From(local);
            string hostJsonDirectory = local.HostJsonDirectory ?? AppContext.BaseDirectory; // beside the app, where the build copies it
            builder.WebHost.ConfigureKestrel(endpoints.Configure);
            builder.Services.AddPlatformFunctions(builder.Configuration);
            builder.Services.AddSingleton<Otlp.OtlpGrpcGate>();
            IReadOnlyList<LocalFunction> functions = FunctionCatalog.Discover(typeof(HealthFunction).Assembly);
            QueueSettings queueSettings = HostJson.Queues(hostJsonDirectory);
            builder.Services.AddHostedService(sp => new LocalTriggerHost(functions, sp, sp.GetRequiredService<IConfiguration>(), queueSettings, sp.GetRequiredService<ILogger<LocalTriggerHost>>()));
            IngestOptions ingest = builder.Configuration.GetSection(IngestOptions.SectionName).Get<IngestOptions>() ?? new IngestOptions();
            builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = ingest.MaxRequestBytes);
            WebApplication app = builder.Build();
            string prefix = HostJson.RoutePrefix(hostJsonDirectory);
            if (endpoints.OtlpHttp is not null)
            {
                // OTLP exporters post to {endpoint}/v1/logs: on the OTLP port the Functions' /{prefix}/v1/* routes answer at /v1/*.
                app.Use((context, next) =>
                {
                    if (context.Connection.LocalPort == endpoints.OtlpHttpPort && context.Request.Path.StartsWithSegments("/v1"))
                    {
                        context.Request.Path = new PathString("/" + prefix).Add(context.Request.Path);
                    }

                    return next(context);
                });
            }

            app.UseRouting();

            // After routing, so the gate knows a gRPC call by its endpoint, not by a path it could be fooled on.
            app.Use(app.Services.GetRequiredService<Otlp.OtlpGrpcGate>().InvokeAsync);
            HttpFunctionEndpoints.Map(app, functions, prefix);
            if (endpoints.OtlpGrpc is not null)
            {
                app.MapGrpcService<Otlp.OtlpLogsGrpcService>();
                app.MapGrpcService<Otlp.OtlpMetricsGrpcService>();
                app.MapGrpcService<Otlp.OtlpTraceGrpcService>();
            }
            return new LocalPlatform(app, azurite, data, functions, endpoints);
        }
        catch
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            data?.Dispose();

            throw;
        }
    }

    /// <summary>Starts serving and says where.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken);
        Console.WriteLine($"Functions routes on {Endpoints.BoundFunctions}api/ ; OTLP/HTTP on {Endpoints.BoundOtlpHttp?.ToString() ?? "(off)"} ; OTLP/gRPC on {Endpoints.BoundOtlpGrpc?.ToString() ?? "(off)"}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Stop first: hosted services (timers, queue polling) end before the container they use is disposed.
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        await _app.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _data?.Dispose();
    }
}
