using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Platform.Local;

/// <summary>
/// Where the local host listens: the Functions routes (default 127.0.0.1:7071, as <c>func start</c>),
/// OTLP/HTTP (4318) and OTLP/gRPC (4317), as the OpenTelemetry Collector does. An empty URL turns one off.
/// An address beyond loopback takes https (with a certificate) unless cleartext is asked for by name: API keys
/// travel in headers, and must not cross a network unencrypted by accident.
/// </summary>
public sealed record LocalEndpoints(Uri Functions, Uri? OtlpHttp, Uri? OtlpGrpc)
{
    private ListenOptions? _functions;
    private ListenOptions? _otlpHttp;
    private ListenOptions? _otlpGrpc;

    /// <summary>The PFX certificate https endpoints serve; null when every endpoint is http.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The certificate's password, if it has one.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>The Functions address as bound (the real port when 0 was asked for); after start.</summary>
    public Uri? BoundFunctions => Bound(_functions, Functions);

    /// <summary>The OTLP/HTTP address as bound; after start.</summary>
    public Uri? BoundOtlpHttp => Bound(_otlpHttp, OtlpHttp);

    /// <summary>The OTLP/gRPC address as bound; after start.</summary>
    public Uri? BoundOtlpGrpc => Bound(_otlpGrpc, OtlpGrpc);

    /// <summary>The port OTLP/HTTP requests arrive on, once bound.</summary>
    public int? OtlpHttpPort => _otlpHttp?.IPEndPoint?.Port;

    /// <summary>The endpoints <see cref="LocalHostOptions"/> (<c>Platform:Local</c>) name.</summary>
    /// <exception cref="InvalidOperationException">A URL that is not one, https without a certificate, or cleartext beyond loopback without the opt-out.</exception>
    public static LocalEndpoints From(LocalHostOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        Uri functions = Parse(o.Urls, nameof(LocalHostOptions.Urls), o)!;
        Uri? otlpHttp = Parse(o.OtlpHttpUrl ?? string.Empty, nameof(LocalHostOptions.OtlpHttpUrl), o);
        Uri? otlpGrpc = Parse(o.OtlpGrpcUrl ?? string.Empty, nameof(LocalHostOptions.OtlpGrpcUrl), o);
        if (!string.IsNullOrEmpty(o.CertificatePath) && !File.Exists(o.CertificatePath))
        {
            throw new InvalidOperationException($"{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.CertificatePath)} '{o.CertificatePath}' does not exist.");
        }

        return new LocalEndpoints(functions, otlpHttp, otlpGrpc) { CertificatePath = o.CertificatePath, CertificatePassword = o.CertificatePassword };
    }

    /// <summary>Tells Kestrel to listen on each endpoint: HTTP/1.1 (cleartext cannot negotiate HTTP/2; TLS offers both), and HTTP/2 only for gRPC.</summary>
    public void Configure(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        _functions = Listen(kestrel, Functions, HttpProtocols.Http1);
        _otlpHttp = OtlpHttp is null ? null : Listen(kestrel, OtlpHttp, HttpProtocols.Http1);
        _otlpGrpc = OtlpGrpc is null ? null : Listen(kestrel, OtlpGrpc, HttpProtocols.Http2);
    }

    private ListenOptions Listen(KestrelServerOptions kestrel, Uri url, HttpProtocols cleartext)
    {
        ListenOptions? captured = null;
        kestrel.Listen(Address(url), url.Port, o =>
        {
            if (url.Scheme == Uri.UriSchemeHttps)
            {
                o.Protocols = cleartext == HttpProtocols.Http2 ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                o.UseHttps(CertificatePath!, CertificatePassword);
            }
            else
            {
                o.Protocols = cleartext;
            }

            captured = o;
        });
        return captured!;
    }

    private static IPAddress Address(Uri url) => url.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host);

    private static Uri? Bound(ListenOptions? options, Uri? asked) =>
        options?.IPEndPoint is { } ip && asked is not null ? new Uri($"{asked.Scheme}://{ip}") : null;

    private static Uri? Parse(string value, string key, LocalHostOptions o)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string setting = $"{LocalHostOptions.SectionName}:{key}";
        if (!Uri.TryCreate(value.Split(';')[0], UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https") || (url.Host != "localhost" && !IPAddress.TryParse(url.Host, out _)))
        {
            throw new InvalidOperationException($"{setting} '{value}' must be an http or https URL with an IP address or localhost, such as http://127.0.0.1:4318.");
        }

        if (url.Scheme == "https" && string.IsNullOrEmpty(o.CertificatePath))
        {
            throw new InvalidOperationException($"{setting} '{value}' is https: set {LocalHostOptions.SectionName}:{nameof(LocalHostOptions.CertificatePath)} to a PFX certificate (and CertificatePassword if it has one).");
        }

        if (url.Scheme == "http" && !IPAddress.IsLoopback(Address(url)) && !o.AllowCleartextRemote)
        {
            throw new InvalidOperationException(
                $"{setting} '{value}' listens beyond loopback in cleartext, so API keys would cross the network unencrypted. "
                + $"Use https://… with {LocalHostOptions.SectionName}:{nameof(LocalHostOptions.CertificatePath)}, or, behind a proxy that terminates TLS, set {LocalHostOptions.SectionName}:{nameof(LocalHostOptions.AllowCleartextRemote)}=true.");
        }

        return url;
    }
}
