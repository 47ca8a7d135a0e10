using System.Globalization;
using Google.Protobuf.Reflection;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>
/// Walks a protobuf body by its schema without making any object, counting the embedded messages and packed values
/// it would materialize, and refuses it once those pass the <see cref="OtlpLimits"/>.
/// </summary>
internal static class OtlpWireBudget
{
    public static void Check(ReadOnlySpan<byte> body, MessageDescriptor descriptor, OtlpLimits limits)
    {
        int messages = 0, values = 0;
        Walk(body, descriptor, 1, limits, ref messages, ref values);
    }

    private static void Walk(ReadOnlySpan<byte> data, MessageDescriptor descriptor, int depth, OtlpLimits limits, ref int messages, ref int values)
    {
        if (depth > limits.MaxDepth)
        {
            throw limits.TooDeep();
        }

        int position = 0;
        while (position < data.Length)
        {
            ulong tag = ReadVarint(data, ref position);
            int number = (int)(tag >> 3);
            int wireType = (int)(tag & 7);
            FieldDescriptor? known = descriptor.FindFieldByNumber(number);
            if (known is null)
            {
                // Kept by the parser (newer senders' fields survive into the log), one object each: counted as messages.
                CountMessage(ref messages, limits);
            }
            else if (known.IsRepeated && !(wireType == 2 && known.FieldType == FieldType.Message))
            {
                // Each element of a repeated scalar, string or bytes field is one value; packed ones are counted below.
                if (wireType != 2 || known.FieldType is FieldType.String or FieldType.Bytes)
                {
                    CountValue(ref values, limits);
                }
            }

            switch (wireType)
            {
                case 0:
                    ReadVarint(data, ref position);
                    break;
                case 1:
                    Skip(data, ref position, 8);
                    break;
                case 5:
                    Skip(data, ref position, 4);
                    break;
                case 2:
                    ulong length = ReadVarint(data, ref position);
                    if (length > (ulong)(data.Length - position))
                    {
                        throw Truncated();
                    }

                    ReadOnlySpan<byte> field = data.Slice(position, (int)length);
                    position += (int)length;
                    if (known?.FieldType == FieldType.Message)
                    {
                        CountMessage(ref messages, limits);
                        Walk(field, known.MessageType, depth + 1, limits, ref messages, ref values);
                    }
                    else if (known is { IsRepeated: true } && known.FieldType is not (FieldType.String or FieldType.Bytes))
                    {
                        values += PackedCount(field, known.FieldType);
                        if (values > limits.MaxValues)
                        {
                            throw limits.TooManyValues();
                        }
                    }

                    break;
                default:
                    throw new MalformedOtlpException(string.Create(CultureInfo.InvariantCulture, $"The body is not a valid OTLP/protobuf request: wire type {wireType} of field {number} is not one OTLP uses."));
            }
        }
    }

    private static void CountMessage(ref int messages, OtlpLimits limits)
    {
        if (++messages > limits.MaxMessages)
        {
            throw limits.TooManyMessages();
        }
    }

    private static void CountValue(ref int values, OtlpLimits limits)
    {
        if (++values > limits.MaxValues)
        {
            throw limits.TooManyValues();
        }
    }

    private static int PackedCount(ReadOnlySpan<byte> packed, FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => packed.Length / 8,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => packed.Length / 4,
        _ => VarintCount(packed),
    };

    // Each varint ends with the one byte of it whose high bit is clear.
    private static int VarintCount(ReadOnlySpan<byte> packed)
    {
        int count = 0;
        foreach (byte b in packed)
        {
            count += b >> 7 ^ 1;
        }

        return count;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Truncated();
            }

            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new MalformedOtlpException("The body is not a valid OTLP/protobuf request: a varint is longer than 10 bytes.");
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int position, int count)
    {
        if (data.Length - position < count)
        {
            throw Truncated();
        }

        position += count;
    }

    private static MalformedOtlpException Truncated() => new("The body is not a valid OTLP/protobuf request: it ends inside a field (truncated).");
}
