using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Log.Reading;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>OTLP/HTTP by the specification's rules, with hand-made requests.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OtlpHttpProtocolTests(AzuriteFixture azurite)
{
    private static ResourceLogs Resource(string service, params string[] bodies) => new()
    {
        Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } },
        ScopeLogs = { new ScopeLogs { LogRecords = { bodies.Select(b => new LogRecord { Body = new AnyValue { StringValue = b }, SeverityNumber = SeverityNumber.Info }) } } },
    };

    private static HttpContent Protobuf(IMessage message, bool gzip = false)
    {
        byte[] bytes = message.ToByteArray();
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var stream = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                stream.Write(bytes);
            }

            bytes = compressed.ToArray();
        }

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return content;
    }

    private static HttpClient OtlpClient(LocalHost host)
    {
        var client = host.Anonymous(LocalHost.AdminKey);
        client.BaseAddress = host.OtlpHttp;
        return client;
    }

    private static async Task<int> CountLogsAsync(LocalHost host) =>
        (await OtlpExporterEndToEndTests.ReadTopicAsync(host.Platform.Services.GetRequiredService<LogReader>(), "otlp.logs"))
            .Sum(r => ExportLogsServiceRequest.Parser.ParseFrom(r.Value!.Value.Span).ResourceLogs.Sum(rl => rl.ScopeLogs.Sum(s => s.LogRecords.Count)));

    [Fact]
    public async Task Protobuf_with_gzip_is_split_per_resource_and_keyed_by_service()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Protobuf_with_gzip_is_split_per_resource_and_keyed_by_service));
        using HttpClient client = OtlpClient(host);
        var export = new ExportLogsServiceRequest { ResourceLogs = { Resource("api", "a", "b"), Resource("worker", "c") } };
        HttpResponseMessage response = await client.PostAsync("v1/logs", Protobuf(export, gzip: true));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);

        var records = await OtlpExporterEndToEndTests.ReadTopicAsync(host.Platform.Services.GetRequiredService<LogReader>(), "otlp.logs");
        Assert.Equal(["api", "worker"], records.Select(r => Encoding.UTF8.GetString(r.Key!.Value.Span)).Order());
        var api = records.Single(r => Encoding.UTF8.GetString(r.Key!.Value.Span) == "api");
        Assert.Equal(Resource("api", "a", "b"), ExportLogsServiceRequest.Parser.ParseFrom(api.Value!.Value.Span).ResourceLogs.Single());
        Assert.Equal("logs", Encoding.UTF8.GetString(api.Headers.Single(h => h.Key == "otlp.signal").Value!.Value.Span));

        // The Functions route answers the same (cloud path: /api/v1/logs).
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/v1/logs", Protobuf(export))).StatusCode);
        Assert.Equal(6, await CountLogsAsync(host));
    }

    [Fact]
    public async Task Json_uses_hex_ids_and_numbers_or_strings_and_ignores_unknown_fields()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Json_uses_hex_ids_and_numbers_or_strings_and_ignores_unknown_fields));
        using HttpClient client = OtlpClient(host);
        string json = """
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
          "scopeLogs":[{"scope":{"name":"s"},"logRecords":[
            {"timeUnixNano":"1700000000000000000","severityNumber":17,"body":{"stringValue":"boom"},
             "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","someFutureField":{"x":1}},
            {"timeUnixNano":1700000000000000001,"body":{"intValue":"42"}}]}]}]}
        """;
        HttpResponseMessage response = await client.PostAsync("v1/logs", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{ }", (await response.Content.ReadAsStringAsync()).Trim());

        var stored = (await OtlpExporterEndToEndTests.ReadTopicAsync(host.Platform.Services.GetRequiredService<LogReader>(), "otlp.logs")).Single();
        LogRecord[] logs = [.. ExportLogsServiceRequest.Parser.ParseFrom(stored.Value!.Value.Span).ResourceLogs.Single().ScopeLogs.Single().LogRecords];
        Assert.Equal("5b8efff798038103d269b633813fc60c", Convert.ToHexStringLower(logs[0].TraceId.Span));
        Assert.Equal("eee19b7ec3c1b174", Convert.ToHexStringLower(logs[0].SpanId.Span));
        Assert.Equal(1700000000000000000UL, logs[0].TimeUnixNano);
        Assert.Equal(SeverityNumber.Error, logs[0].SeverityNumber);
        Assert.Equal(42, logs[1].Body.IntValue);
    }

    [Fact]
    public async Task An_empty_export_succeeds_and_a_too_large_resource_is_a_partial_success()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(An_empty_export_succeeds_and_a_too_large_resource_is_a_partial_success));
        using HttpClient client = OtlpClient(host);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("v1/logs", Protobuf(new ExportLogsServiceRequest()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("v1/traces", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);

        var export = new ExportLogsServiceRequest { ResourceLogs = { Resource("small", "ok"), Resource("huge", new string('x', 1_200_000), "y") } };
        HttpResponseMessage response = await client.PostAsync("v1/logs", new StringContent(Google.Protobuf.JsonFormatter.Default.Format(export), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement partial = body.RootElement.GetProperty("partialSuccess");
        Assert.Equal("2", partial.GetProperty("rejectedLogRecords").GetString()); // 64-bit integers are strings on output
        Assert.Contains("huge", partial.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CountLogsAsync(host));
    }

    [Theory]
    [InlineData("application/x-protobuf", new byte[] { 0x0a, 0xff, 0x01 }, 400)]          // truncated
    [InlineData("application/x-protobuf", new byte[] { 0x0f, 0x01 }, 400)]                // bad wire type
    [InlineData("application/json", new byte[] { (byte)'{', (byte)'"' }, 400)]             // malformed JSON
    [InlineData("application/json", new byte[] { (byte)'{', (byte)'"', (byte)'r', (byte)'e', (byte)'s', (byte)'o', (byte)'u', (byte)'r', (byte)'c', (byte)'e', (byte)'L', (byte)'o', (byte)'g', (byte)'s', (byte)'"', (byte)':', (byte)'{', (byte)'}', (byte)'}' }, 400)] // {"resourceLogs":{}}: a wrong type is the client's error, never a retriable 503
    [InlineData("text/plain", new byte[] { (byte)'h', (byte)'i' }, 415)]
    public async Task Bad_bodies_get_a_status_in_the_request_encoding_and_append_nothing(string mediaType, byte[] body, int status)
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Bad_bodies_get_a_status_in_the_request_encoding_and_append_nothing));
        using HttpClient client = OtlpClient(host);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        HttpResponseMessage response = await client.PostAsync("v1/logs", content);
        Assert.Equal(status, (int)response.StatusCode);
        byte[] answer = await response.Content.ReadAsByteArrayAsync();
        Google.Rpc.Status rpc = mediaType == "application/json"
            ? Google.Protobuf.JsonParser.Default.Parse<Google.Rpc.Status>(Encoding.UTF8.GetString(answer))
            : Google.Rpc.Status.Parser.ParseFrom(answer);
        Assert.Equal(3, rpc.Code); // INVALID_ARGUMENT
        Assert.False(string.IsNullOrEmpty(rpc.Message));
        Assert.Equal(0, await CountLogsAsync(host));
    }

    [Fact]
    public async Task Oversize_bodies_get_413_also_after_decompression_and_missing_keys_401()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Oversize_bodies_get_413_also_after_decompression_and_missing_keys_401), ("Platform:Ingest:MaxRequestBytes", "65536"));
        using HttpClient client = OtlpClient(host);
        var big = new ExportLogsServiceRequest { ResourceLogs = { Resource("svc", new string('z', 200_000)) } };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("v1/logs", Protobuf(big))).StatusCode);
        HttpContent bomb = Protobuf(big, gzip: true);
        Assert.True(bomb.Headers.ContentLength is null or < 65536);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("v1/logs", bomb)).StatusCode);

        using HttpClient anonymous = host.Anonymous();
        anonymous.BaseAddress = host.OtlpHttp;
        HttpResponseMessage unauthorized = await anonymous.PostAsync("v1/logs", Protobuf(new ExportLogsServiceRequest { ResourceLogs = { Resource("svc", "x") } }));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(16, Google.Rpc.Status.Parser.ParseFrom(await unauthorized.Content.ReadAsByteArrayAsync()).Code);
        Assert.Equal(0, await CountLogsAsync(host));
    }
}
