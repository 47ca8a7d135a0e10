using System.Collections.Concurrent;

namespace Platform.Core.Log.Partitioning;

/// <summary>
/// Keyless records stick to one partition per topic until about a batch's worth of bytes went
/// there, then move on (Kafka's sticky partitioner), so they form full batches instead of many
/// small ones.
/// </summary>
internal sealed class StickyPartitioner(int bytesPerStick)
{
    private readonly ConcurrentDictionary<string, Stick> _sticks = new(StringComparer.Ordinal);

    public int Next(string topic, int partitions, int recordBytes)
    {
        Stick stick = _sticks.GetOrAdd(topic, _ => new Stick(Random.Shared.Next(partitions)));
        lock (stick)
        {
            if (stick.Partition >= partitions || stick.Bytes >= bytesPerStick)
            {
                stick.Partition = partitions == 1 ? 0 : (stick.Partition + 1 + Random.Shared.Next(partitions - 1)) % partitions;
                stick.Bytes = 0;
            }

            stick.Bytes += recordBytes;
            return stick.Partition;
        }
    }

    private sealed class Stick(int partition)
    {
        public int Partition { get; set; } = partition;

        public long Bytes { get; set; }
    }
}
