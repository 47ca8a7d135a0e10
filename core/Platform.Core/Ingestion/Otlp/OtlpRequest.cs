using Google.Protobuf;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>An OTLP export request from its body, protobuf or JSON, checked against <see cref="OtlpLimits"/> first.</summary>
public static class OtlpRequest
{
    /// <summary>Parses <paramref name="body"/>.</summary>
    /// <exception cref="MalformedOtlpException">Not a valid request of that type.</exception>
    /// <exception cref="PayloadTooLargeException">More than the limits allow.</exception>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> body, bool json, OtlpLimits limits)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(limits);
        if (json)
        {
            return OtlpJson.Parse<T>(body, limits);
        }

        Check(new T().Descriptor, body, limits);
        try
        {
            return parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MalformedOtlpException($"The body is not a valid OTLP/protobuf request: {ex.Message}", ex);
        }
    }

    /// <summary>Refuses an OTLP/protobuf message of <paramref name="descriptor"/>'s type that would cost more than <paramref name="limits"/>, without parsing it.</summary>
    /// <exception cref="MalformedOtlpException">Truncated, or nested deeper than the limit.</exception>
    /// <exception cref="PayloadTooLargeException">More messages or values than the limits allow.</exception>
    public static void Check(Google.Protobuf.Reflection.MessageDescriptor descriptor, ReadOnlySpan<byte> message, OtlpLimits limits)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(limits);
        OtlpWireBudget.Check(message, descriptor, limits);
    }
}
