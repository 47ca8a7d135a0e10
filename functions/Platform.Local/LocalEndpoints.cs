using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Platform.Local;

/// <summary>
/// Where the local host listens: the Functions routes (default 127.0.0.1:7071, as <c>func start</c>),
/// OTLP/HTTP (4318) and OTLP/gRPC (4317), as the OpenTelemetry Collector does. An empty URL turns one off.
/// </summary>
public sealed record LocalEndpoints(Uri Functions, Uri? OtlpHttp, Uri? OtlpGrpc)
{
    private ListenOptions? _functions;
    private ListenOptions? _otlpHttp;
    private ListenOptions? _otlpGrpc;

    /// <summary>The Functions address as bound (the real port when 0 was asked for); after start.</summary>
    public Uri? BoundFunctions => Bound(_functions);

    /// <summary>The OTLP/HTTP address as bound; after start.</summary>
    public Uri? BoundOtlpHttp => Bound(_otlpHttp);

    /// <summary>The OTLP/gRPC address as bound; after start.</summary>
    public Uri? BoundOtlpGrpc => Bound(_otlpGrpc);

    /// <summary>The port OTLP/HTTP requests arrive on, once bound.</summary>
    public int? OtlpHttpPort => _otlpHttp?.IPEndPoint?.Port;
    /// <summary>The endpoints <see cref="LocalHostOptions"/> (<c>Platform:Local</c>) name.</summary>
    public static LocalEndpoints From(LocalHostOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new LocalEndpoints(
            Parse(o.Urls, nameof(LocalHostOptions.Urls))!,
            Parse(o.OtlpHttpUrl ?? string.Empty, nameof(LocalHostOptions.OtlpHttpUrl)),
            Parse(o.OtlpGrpcUrl ?? string.Empty, nameof(LocalHostOptions.OtlpGrpcUrl)));
    }

    /// <summary>Tells Kestrel to listen on each endpoint: HTTP/1.1 (cleartext cannot negotiate HTTP/2), and HTTP/2 only for gRPC.</summary>
    public void Configure(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        _functions = Listen(kestrel, Functions, HttpProtocols.Http1);
        _otlpHttp = OtlpHttp is null ? null : Listen(kestrel, OtlpHttp, HttpProtocols.Http1);
        _otlpGrpc = OtlpGrpc is null ? null : Listen(kestrel, OtlpGrpc, HttpProtocols.Http2);
    }

    private static ListenOptions Listen(KestrelServerOptions kestrel, Uri url, HttpProtocols protocols)
    {
        IPAddress address = url.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host);
        ListenOptions? captured = null;
        kestrel.Listen(address, url.Port, o =>
        {
            o.Protocols = protocols;
            captured = o;
        });
        return captured!;
    }

    private static Uri? Bound(ListenOptions? options) =>
        options?.IPEndPoint is { } ip ? new Uri($"http://{ip}") : null;

    private static Uri? Parse(string value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value.Split(';')[0], UriKind.Absolute, out Uri? url) || url.Scheme != "http" || (url.Host != "localhost" && !IPAddress.TryParse(url.Host, out _)))
        {
            throw new InvalidOperationException($"{LocalHostOptions.SectionName}:{key} '{value}' must be an http URL with an IP address or localhost, such as http://127.0.0.1:4318.");
        }

        return url;
    }
}
