namespace Platform.Local;

/// <summary>Where the local host listens, bound from <c>Platform:Local</c>. An empty URL turns an endpoint off.</summary>
public sealed class LocalHostOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Local";

    /// <summary>The Functions routes. Default <c>http://127.0.0.1:7071</c>, as <c>func start</c>.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:7071";

    /// <summary>OTLP/HTTP. Default <c>http://127.0.0.1:4318</c>, as the OpenTelemetry Collector.</summary>
    public string? OtlpHttpUrl { get; set; } = "http://127.0.0.1:4318";

    /// <summary>OTLP/gRPC (HTTP/2 cleartext). Default <c>http://127.0.0.1:4317</c>.</summary>
    public string? OtlpGrpcUrl { get; set; } = "http://127.0.0.1:4317";

    /// <summary>A PFX certificate for https URLs (needed by any https endpoint).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX's password, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Lets an http URL listen beyond loopback (0.0.0.0, a LAN address): for a proxy that terminates TLS in front. Off:
    /// such a URL stops the host at start, since keys would otherwise cross the network in cleartext by accident.
    /// </summary>
    public bool AllowCleartextRemote { get; set; }

    /// <summary>One log line per request (ASP.NET Core's request logging at Information); off by default, or with <c>--verbose</c>.</summary>
    public bool Verbose { get; set; }

    /// <summary>
    /// Where the local host keeps its data across runs when it starts Azurite itself (no storage configured): Azurite's
    /// files and the admin key it printed the first time. Default <c>.platform</c> in the current directory.
    /// </summary>
    public string DataDirectory { get; set; } = ".platform";

    /// <summary>Azurite in memory instead (a throwaway run: everything is gone when the host stops); also <c>--in-memory</c>.</summary>
    public bool InMemory { get; set; }

    /// <summary>Where the host.json the local host follows is; default beside the app, where the build copies the app's own.</summary>
    public string? HostJsonDirectory { get; set; }
}
