using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Otlp;

namespace Platform.Tests.Ingestion.Otlp;

/// <summary>
/// Bodies within the size limit that would cost gigabytes to materialize (millions of empty messages, packed
/// varints, deep nesting): each is refused with a client error, and what the refusal allocates stays within a
/// small multiple of the body's own size.
/// </summary>
public sealed class OtlpHostileBodyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int MaxRequestBytes = 16 * 1024 * 1024;
    private const int AllowedMultiple = 4;

    public static TheoryData<string> Bodies => [.. HostileBodies.Keys];

    private static readonly Dictionary<string, (byte[] Body, bool Json, bool Metrics)> HostileBodies = new()
    {
        ["protobuf: 8M empty ResourceLogs"] = (Repeat([0x0A, 0x00], MaxRequestBytes / 2), false, false),
        ["protobuf: one resource with 5M empty attributes"] = (Nest(0x0A, Nest(0x0A, Repeat([0x0A, 0x00], (MaxRequestBytes / 2) - 16))), false, false),
        ["protobuf: 16M packed varints in an exponential histogram"] = (ExponentialBuckets(MaxRequestBytes - 64), false, true),
        ["protobuf: 2.8M unknown fields"] = (UnknownFields(MaxRequestBytes), false, false),
        ["protobuf: 8M unpacked bucket counts"] = (Nest(0x0A, Nest(0x12, Nest(0x12, Nest(0x52, Nest(0x0A, Nest(0x42, Repeat([0x10, 0x01], (MaxRequestBytes / 2) - 32))))))), false, true),
        ["json: 5M empty ResourceLogs"] = (Json("{\"resourceLogs\":[", "{},", "{}]}", MaxRequestBytes), true, false),
        ["json: 2M empty attributes"] = (Json("{\"resourceLogs\":[{\"resource\":{\"attributes\":[", "{\"key\":\"\"},", "{}]}}]}", MaxRequestBytes), true, false),
        ["json: 100k-deep nesting"] = (Encoding.UTF8.GetBytes("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"a\",\"value\":" + string.Concat(Enumerable.Repeat("{\"arrayValue\":{\"values\":[", 100_000))), true, false),
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_hostile_body_is_refused_as_the_clients_error_without_materializing_it(string name)
    {
        (byte[] body, bool json, bool metrics) = HostileBodies[name];
        var limits = OtlpLimits.For(MaxRequestBytes);
        GC.Collect();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? refused = Record.Exception(() =>
        {
            if (metrics)
            {
                OtlpRequest.Parse(ExportMetricsServiceRequest.Parser, body, json, limits);
            }
            else
            {
                OtlpRequest.Parse(ExportLogsServiceRequest.Parser, body, json, limits);
            }
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{name}: body {body.Length:N0} bytes, allocated {allocated:N0} bytes ({(double)allocated / body.Length:F2}x), {refused?.GetType().Name}: {refused?.Message}");
        Assert.True(refused is PayloadTooLargeException or MalformedOtlpException, $"{name} was not refused as the client's error: {refused}");
        Assert.True(allocated <= (long)AllowedMultiple * body.Length, $"{name}: refusing it allocated {allocated:N0} bytes, more than {AllowedMultiple}x its {body.Length:N0}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_costliest_body_within_the_limits_allocates_a_small_multiple_of_the_request_limit(bool json)
    {
        // As many empty attributes as the message limit lets through: the most objects per byte a request may hold.
        OtlpLimits limits = OtlpLimits.For(MaxRequestBytes);
        int attributes = limits.MaxMessages - 3;
        byte[] body = json
            ? Encoding.UTF8.GetBytes("{\"resourceLogs\":[{\"resource\":{\"attributes\":[" + string.Join(",", Enumerable.Repeat("{}", attributes)) + "]}}]}")
            : Nest(0x0A, Nest(0x0A, Repeat([0x0A, 0x00], attributes)));
        GC.Collect();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ExportLogsServiceRequest request = OtlpRequest.Parse(ExportLogsServiceRequest.Parser, body, json, limits);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{attributes:N0} attributes ({(json ? "json" : "protobuf")}, {body.Length:N0} bytes): allocated {allocated:N0} bytes, {(double)allocated / MaxRequestBytes:F2}x the request limit");
        Assert.Equal(attributes, request.ResourceLogs[0].Resource.Attributes.Count);
        Assert.True(allocated <= (long)AllowedMultiple * MaxRequestBytes, $"allocated {allocated:N0} bytes, more than {AllowedMultiple}x the {MaxRequestBytes:N0}-byte request limit");
    }

    private static byte[] Repeat(byte[] unit, int times)
    {
        byte[] result = new byte[unit.Length * times];
        for (int i = 0; i < times; i++)
        {
            unit.CopyTo(result, i * unit.Length);
        }

        return result;
    }

    private static byte[] Nest(byte tag, byte[] inner)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteRawTag(tag);
        output.WriteBytes(ByteString.CopyFrom(inner));
        output.Flush();
        return stream.ToArray();
    }

    // ResourceMetrics(1) → ScopeMetrics(2) → Metric(2) → exponential_histogram(10) → data_points(1) → positive(8) → bucket_counts(2, packed uint64).
    private static byte[] ExponentialBuckets(int count)
    {
        byte[] packed = new byte[count];
        Array.Fill(packed, (byte)1);
        byte[] positive = Nest(0x12, packed);
        return Nest(0x0A, Nest(0x12, Nest(0x12, Nest(0x52, Nest(0x0A, Nest(0x42, positive))))));
    }

    // Distinct unknown field numbers (a parser keeps each as an object of its own): a 3-byte tag and a 1-byte value.
    private static byte[] UnknownFields(int size)
    {
        byte[] body = new byte[size - (size % 4)];
        for (int i = 0, field = 1000; i < body.Length; i += 4, field = field == 200_000 ? 1000 : field + 1)
        {
            uint tag = (uint)field << 3; // wire type 0
            body[i] = (byte)(tag | 0x80);
            body[i + 1] = (byte)((tag >> 7) | 0x80);
            body[i + 2] = (byte)(tag >> 14);
            body[i + 3] = 1;
        }

        return body;
    }

    private static byte[] Json(string head, string unit, string tail, int size)
    {
        var text = new StringBuilder(size);
        text.Append(head);
        while (text.Length + unit.Length + tail.Length < size)
        {
            text.Append(unit);
        }

        return Encoding.UTF8.GetBytes(text.Append(tail).ToString());
    }
}
