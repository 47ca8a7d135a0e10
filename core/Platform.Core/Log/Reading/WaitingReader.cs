namespace Platform.Core.Log.Reading;

/// <summary>
/// Long-poll fetches (Kafka's fetch.max.wait.ms): when the partition has nothing at the offset, look again until
/// something arrives or the wait is over. Shared by every host and client of the records API.
/// </summary>
public sealed class WaitingReader(LogReader reader, TimeProvider time)
{
    /// <summary>How often an empty partition is looked at again while waiting.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Fetches as <see cref="LogReader.FetchAsync"/> does, waiting up to <paramref name="wait"/> for records when there are none yet.</summary>
    public async Task<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, int maxRecords, TimeSpan wait, CancellationToken cancellationToken)
    {
        long deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        FetchResult fetch = await reader.FetchAsync(topic, partition, offset, maxBytes, maxRecords, cancellationToken).ConfigureAwait(false);
        while (fetch.Records.Count == 0 && time.GetTimestamp() < deadline)
        {
            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            fetch = await reader.FetchAsync(topic, partition, offset, maxBytes, maxRecords, cancellationToken).ConfigureAwait(false);
        }

        return fetch;
    }
}
