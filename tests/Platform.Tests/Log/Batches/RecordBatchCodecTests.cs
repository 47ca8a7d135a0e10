using System.Text;
using Platform.Core.Log;
using Platform.Core.Log.Batches;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Batches;

public sealed class RecordBatchCodecTests
{
    private static readonly ProduceRecord[] Sample =
    [
        new() { Key = "k1"u8.ToArray(), Value = "hello"u8.ToArray(), Timestamp = 1_700_000_000_000, Headers = [new("h", "v"u8.ToArray()), new("nul", null)] },
        new() { Key = null, Value = "no key"u8.ToArray(), Timestamp = 1_700_000_000_005 },
        new() { Key = "tomb"u8.ToArray(), Value = null, Timestamp = 1_699_999_999_990 },
        new() { Key = Array.Empty<byte>(), Value = Array.Empty<byte>(), Timestamp = null },
    ];

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Zstd)]
    public void Records_round_trip_with_every_codec(CompressionCodec codec)
    {
        using EncodedBatch batch = RecordBatchEncoder.Encode(Sample, codec, new ProducerStamp(42, 3, 7), defaultTimestamp: 1_700_000_000_100);
        batch.Rebase(1000, 1_700_000_001_000);

        var records = new List<LogRecord>();
        RecordBatchDecoder.Decode(batch.Memory.ToArray(), 0, int.MaxValue, records);

        Assert.Equal([1000L, 1001, 1002, 1003], records.Select(r => r.Offset));
        Assert.Equal("k1", Encoding.UTF8.GetString(records[0].Key!.Value.Span));
        Assert.Equal("hello", records[0].Text());
        Assert.Equal(2, records[0].Headers.Count);
        Assert.Equal("h", records[0].Headers[0].Key);
        Assert.Equal("v", Encoding.UTF8.GetString(records[0].Headers[0].Value!.Value.Span));
        Assert.Null(records[0].Headers[1].Value);
        Assert.Null(records[1].Key);
        Assert.Null(records[2].Value);
        Assert.Equal(0, records[3].Key!.Value.Length);
        Assert.Equal(0, records[3].Value!.Value.Length);
        Assert.Equal([1_700_000_000_000L, 1_700_000_000_005, 1_699_999_999_990, 1_700_000_000_100], records.Select(r => r.Timestamp));
        Assert.All(records, r => Assert.Equal(1_700_000_001_000, r.AppendTime));

        RecordBatchHeader header = RecordBatchHeader.Read(batch.Memory.Span);
        Assert.Equal(codec, header.Codec);
        Assert.Equal((42L, (short)3, 7, 10), (header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.LastSequence));
        Assert.Equal(1_699_999_999_990, header.FirstTimestamp);
        Assert.Equal(1_700_000_000_100, header.MaxTimestamp);
        Assert.Equal(1003, header.LastOffset);
    }

    [Fact]
    public void Compression_shrinks_repetitive_payloads()
    {
        var records = Enumerable.Range(0, 200).Select(i => new ProduceRecord { Value = Encoding.UTF8.GetBytes($"{{\"level\":\"info\",\"message\":\"request served\",\"n\":{i}}}") }).ToArray();
        using EncodedBatch plain = RecordBatchEncoder.Encode(records, CompressionCodec.None, ProducerStamp.None, 0);
        using EncodedBatch zstd = RecordBatchEncoder.Encode(records, CompressionCodec.Zstd, ProducerStamp.None, 0);
        using EncodedBatch gzip = RecordBatchEncoder.Encode(records, CompressionCodec.Gzip, ProducerStamp.None, 0);
        Assert.True(zstd.Length * 4 < plain.Length, $"zstd {zstd.Length} vs plain {plain.Length}");
        Assert.True(gzip.Length * 4 < plain.Length, $"gzip {gzip.Length} vs plain {plain.Length}");
    }

    [Fact]
    public void Trailer_repeats_base_offset_count_and_length()
    {
        using EncodedBatch batch = RecordBatchEncoder.Encode(Sample, CompressionCodec.None, ProducerStamp.None, 0);
        batch.Rebase(77, 5);
        RecordBatchTrailer trailer = RecordBatchTrailer.Read(batch.Memory.Span[^RecordBatchTrailer.Size..]);
        Assert.Equal(new RecordBatchTrailer(77, 4, batch.Length), trailer);
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Zstd)]
    public void Any_flipped_byte_is_rejected(CompressionCodec codec)
    {
        using EncodedBatch batch = RecordBatchEncoder.Encode(Sample, codec, ProducerStamp.None, 0);
        batch.Rebase(5, 9);
        byte[] good = batch.Memory.ToArray();
        for (int i = 0; i < good.Length; i++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[i] ^= 0x01;
            bool rejected;
            try
            {
                RecordBatchDecoder.Decode(bad[..^RecordBatchTrailer.Size].Concat(bad[^RecordBatchTrailer.Size..]).ToArray(), 0, int.MaxValue, []);
                RecordBatchTrailer.Read(bad.AsSpan(bad.Length - RecordBatchTrailer.Size));
                rejected = false;
            }
            catch (CorruptBatchException)
            {
                rejected = true;
            }

            Assert.True(rejected, $"flipping byte {i} of {good.Length} went unnoticed");
        }
    }

    [Fact]
    public void A_flipped_payload_byte_names_the_crc()
    {
        using EncodedBatch batch = RecordBatchEncoder.Encode(Sample, CompressionCodec.None, ProducerStamp.None, 0);
        byte[] bad = batch.Memory.ToArray();
        bad[RecordBatchHeader.Size + 3] ^= 0xFF;
        var ex = Assert.Throws<CorruptBatchException>(() => RecordBatchDecoder.Decode(bad, 0, int.MaxValue, []));
        Assert.Contains("payload CRC-32C mismatch", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_skips_below_min_offset_and_stops_at_max_records()
    {
        using EncodedBatch batch = RecordBatchEncoder.Encode(Sample, CompressionCodec.Gzip, ProducerStamp.None, 0);
        batch.Rebase(10, 0);
        var records = new List<LogRecord>();
        RecordBatchDecoder.Decode(batch.Memory, 11, 2, records);
        Assert.Equal([11L, 12], records.Select(r => r.Offset));
    }

    [Fact]
    public void Crc32C_matches_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Encoding_is_pinned_by_the_golden_file()
    {
        ProduceRecord[] records =
        [
            new() { Key = "user-1"u8.ToArray(), Value = "{\"a\":1}"u8.ToArray(), Timestamp = 1_700_000_000_000, Headers = [new("trace", "abc"u8.ToArray())] },
            new() { Key = null, Value = "plain"u8.ToArray(), Timestamp = 1_700_000_000_250 },
        ];
        using EncodedBatch batch = RecordBatchEncoder.Encode(records, CompressionCodec.None, new ProducerStamp(12345, 1, 10), 0);
        batch.Rebase(42, 1_700_000_000_500);
        string actual = Convert.ToHexString(batch.Memory.Span).ToLowerInvariant();

        Golden.Matches(Path.Combine("Log", "Batches", "golden", "batch-v1-none.hex"), actual);
    }
}
