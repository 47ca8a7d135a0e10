using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Platform.Cli;

/// <summary>What a produce run did.</summary>
internal sealed record ProduceSummary(long Records, long Bytes, long Requests, long Retried, double Seconds);

/// <summary>
/// Lines to records to batches to requests, one request at a time so that each key's records stay in order. Every batch
/// carries an Idempotency-Key, so a retry of a request whose answer was lost appends nothing twice: with
/// <c>--idempotent</c> made from the batch's content and position (the same input gives the same keys in a later run too),
/// otherwise from a key made for this run.
/// </summary>
internal sealed class BatchProducer(PlatformClient client, string topic, string? separator, bool json, bool idempotent, int batchSize)
{
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private readonly ArrayBufferWriter<byte> _body = new(1 << 16);
    private readonly string _path = $"topics/{JsonText.Escape(topic)}/records";
    private long _records;
    private long _bytes;
    private long _requests;

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Retried => client.Retried;

    public async Task<ProduceSummary> RunAsync(IEnumerable<string> lines, Action? onBatch, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int lineNumber = 0, inBatch = 0;
        long batchBytes = 0;
        using var writer = new Utf8JsonWriter(_body);
        StartBatch(writer);
        foreach (string line in lines)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            string? key = null;
            string value = line;
            if (separator is { Length: > 0 } && line.IndexOf(separator, StringComparison.Ordinal) is int at and >= 0)
            {
                key = line[..at];
                value = line[(at + separator.Length)..];
            }

            writer.WriteStartObject();
            if (key is not null) writer.WriteString("key", key);
            writer.WritePropertyName("value");
            if (json)
            {
                try
                {
                    writer.WriteRawValue(value); // checked: a line that is not JSON is refused here, before anything of its batch is sent
                }
                catch (JsonException e)
                {
                    throw new CliException(CliException.Usage, $"Line {lineNumber} is not JSON ({e.Message}); {Records:N0} records were produced before it.");
                }
            }
            else
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndObject();
            inBatch++;
            batchBytes += System.Text.Encoding.UTF8.GetByteCount(value) + (key is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(key));
            if (inBatch >= batchSize)
            {
                await SendAsync(writer, inBatch, batchBytes, cancellationToken).ConfigureAwait(false);
                onBatch?.Invoke();
                (inBatch, batchBytes) = (0, 0);
                StartBatch(writer);
            }
        }

        if (inBatch > 0)
        {
            await SendAsync(writer, inBatch, batchBytes, cancellationToken).ConfigureAwait(false);
            onBatch?.Invoke();
        }

        return new ProduceSummary(Records, Bytes, _requests, client.Retried, Math.Max(clock.Elapsed.TotalSeconds, 1e-6));
    }

    private void StartBatch(Utf8JsonWriter writer)
    {
        _body.ResetWrittenCount();
        writer.Reset(_body);
        writer.WriteStartObject();
        writer.WriteStartArray("records");
    }

    private async Task SendAsync(Utf8JsonWriter writer, int count, long bytes, CancellationToken cancellationToken)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlyMemory<byte> body = _body.WrittenMemory;
        // The same input gives the same batches and keys: a re-run after a failure is answered, not appended again.
        string key = idempotent
            ? "cli-" + Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes($"{topic}|{_requests}|"), .. body.Span]))
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"cli-run-{_run}-{_requests}");
        try
        {
            await client.PostJsonAsync(_path, body, key, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            throw new CliException(e.ExitCode, $"{e.Message}{Environment.NewLine}{Records:N0} records were produced before this batch{(idempotent ? "; the same command again, soon, skips what landed (the platform remembers a batch for a day, within the last 8 MiB of its partition)" : "")}.");
        }

        _requests++;
        Interlocked.Add(ref _records, count);
        Interlocked.Add(ref _bytes, bytes);
    }
}
