using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Platform.Local;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The local host never listens beyond loopback in cleartext by accident; with a certificate it serves https.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostTlsTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("http://0.0.0.0:7071", "listens beyond loopback in cleartext")]
    [InlineData("http://192.168.1.20:7071", "listens beyond loopback in cleartext")]
    [InlineData("https://127.0.0.1:7071", "set Platform:Local:CertificatePath")]
    [InlineData("ftp://127.0.0.1:7071", "must be an http or https URL")]
    public void A_url_that_would_expose_keys_or_cannot_serve_is_refused_at_start(string url, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => LocalEndpoints.From(new LocalHostOptions { Urls = url }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cleartext_beyond_loopback_is_allowed_only_by_name_and_loopback_always()
    {
        Assert.Equal("0.0.0.0", LocalEndpoints.From(new LocalHostOptions { Urls = "http://0.0.0.0:7071", OtlpHttpUrl = "", OtlpGrpcUrl = "", AllowCleartextRemote = true }).Functions.Host);
        Assert.Equal("localhost", LocalEndpoints.From(new LocalHostOptions { Urls = "http://localhost:7071" }).Functions.Host);
        Assert.Contains("does not exist", Assert.Throws<InvalidOperationException>(() => LocalEndpoints.From(new LocalHostOptions { Urls = "https://127.0.0.1:0", CertificatePath = "/nonexistent.pfx" })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_certificate_the_routes_are_served_over_https()
    {
        string pfx = Path.Combine(Path.GetTempPath(), $"local-{Guid.NewGuid():N}.pfx");
        using (RSA rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pw"));
        }

        try
        {
            await using LocalHost host = await LocalHost.StartAsync(azurite, "local-tls", ("Platform:Local:Urls", "https://127.0.0.1:0"), ("Platform:Local:CertificatePath", pfx), ("Platform:Local:CertificatePassword", "pw"));
            Uri bound = host.Platform.Endpoints.BoundFunctions!;
            Assert.Equal("https", bound.Scheme);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
            using var tls = new HttpClient(handler) { BaseAddress = bound };
            Assert.Equal(HttpStatusCode.OK, (await tls.GetAsync("/api/health")).StatusCode);

            using var cleartext = new HttpClient { BaseAddress = new Uri($"http://{bound.Authority}") };
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => cleartext.GetAsync("/api/health"));
        }
        finally
        {
            File.Delete(pfx);
        }
    }
}
