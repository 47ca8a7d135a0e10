using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>
/// OTLP/gRPC on the local host is refused before the message is read when the key is wrong, and a message is held
/// to the size limit on its decompressed bytes and to the cost limits on its wire form.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OtlpGrpcGateTests(AzuriteFixture azurite)
{
    private const string LogsExport = "opentelemetry.proto.collector.logs.v1.LogsService/Export";
    private const int MaxRequestBytes = 1024 * 1024;

    [Fact]
    public async Task An_unauthenticated_call_is_answered_without_reading_its_endless_body()
    {
        await using LocalHost host = await StartAsync();
        using var client = new HttpClient();
        using HttpRequestMessage request = Call(host, new EndlessContent(), key: null, gzip: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("16", GrpcStatus(response)); // UNAUTHENTICATED
    }

    [Theory]
    [InlineData("OPENTELEMETRY.PROTO.COLLECTOR.LOGS.V1.LOGSSERVICE/EXPORT")]
    [InlineData("opentelemetry.proto.collector.logs.v1.LogsService/Export/")]
    [InlineData("opentelemetry.proto.collector.metrics.v1.MetricsService/Export")]
    [InlineData("opentelemetry.proto.collector.trace.v1.TraceService/Export")]
    public async Task No_spelling_of_an_otlp_method_reaches_it_without_a_key(string path)
    {
        await using LocalHost host = await StartAsync();
        using var client = new HttpClient();
        using HttpRequestMessage request = Call(host, Frame([], compressed: false), key: null, gzip: false);
        request.RequestUri = new Uri(host.OtlpGrpc, path);
        using HttpResponseMessage response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.True(GrpcStatus(response) is "16" or "12", $"{path} answered grpc-status {GrpcStatus(response)}"); // UNAUTHENTICATED, or UNIMPLEMENTED when not routed at all
    }

    [Fact]
    public async Task A_gzip_bomb_is_refused_on_its_decompressed_size()
    {
        await using LocalHost host = await StartAsync();
        byte[] bomb = Gzip(new byte[MaxRequestBytes * 8]); // 8 MiB of zeros: a few KiB on the wire
        Assert.True(bomb.Length < MaxRequestBytes);
        using var client = new HttpClient();
        using HttpRequestMessage request = Call(host, Frame(bomb, compressed: true), LocalHost.AdminKey, gzip: true);
        using HttpResponseMessage response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("3", GrpcStatus(response)); // INVALID_ARGUMENT
        Assert.Contains("decompresses to more than", GrpcMessage(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_of_empty_resources_is_refused_on_its_cost_before_it_is_parsed()
    {
        await using LocalHost host = await StartAsync();
        byte[] message = new byte[(MaxRequestBytes / 2) - 16]; // "0A 00" repeated: 262,136 empty ResourceLogs
        for (int i = 0; i < message.Length; i += 2)
        {
            message[i] = 0x0A;
        }

        using var client = new HttpClient();
        using HttpRequestMessage request = Call(host, Frame(message, compressed: false), LocalHost.AdminKey, gzip: false);
        using HttpResponseMessage response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("3", GrpcStatus(response));
        Assert.Contains("messages", GrpcMessage(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gzip_message_within_the_limits_is_taken()
    {
        await using LocalHost host = await StartAsync();
        var export = new OpenTelemetry.Proto.Collector.Logs.V1.ExportLogsServiceRequest
        {
            ResourceLogs = { new OpenTelemetry.Proto.Logs.V1.ResourceLogs { ScopeLogs = { new OpenTelemetry.Proto.Logs.V1.ScopeLogs { LogRecords = { new OpenTelemetry.Proto.Logs.V1.LogRecord { Body = new() { StringValue = "hello" } } } } } } },
        };
        using var client = new HttpClient();
        using HttpRequestMessage request = Call(host, Frame(Gzip(Google.Protobuf.MessageExtensions.ToByteArray(export)), compressed: true), LocalHost.AdminKey, gzip: true);
        using HttpResponseMessage response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("0", GrpcStatus(response));
    }

    private Task<LocalHost> StartAsync([System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        LocalHost.StartAsync(azurite, $"grpc-gate-{name[..Math.Min(12, name.Length)]}", ("Platform:Ingest:MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static HttpRequestMessage Call(LocalHost host, HttpContent content, string? key, bool gzip)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.OtlpGrpc, LogsExport))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (gzip)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private static ByteArrayContent Frame(byte[] message, bool compressed)
    {
        byte[] frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return new ByteArrayContent(frame);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static string? GrpcStatus(HttpResponseMessage response) => Header(response, "grpc-status");

    private static string GrpcMessage(HttpResponseMessage response) => Uri.UnescapeDataString(Header(response, "grpc-message") ?? string.Empty);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) || response.TrailingHeaders.TryGetValues(name, out values) ? values.First() : null;

    /// <summary>A gRPC frame header promising a large compressed message, then zeros without end.</summary>
    private sealed class EndlessContent : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            byte[] header = [1, 0x00, 0x0F, 0xFF, 0xFF];
            await stream.WriteAsync(header);
            byte[] zeros = new byte[64 * 1024];
            while (true)
            {
                await stream.WriteAsync(zeros);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
