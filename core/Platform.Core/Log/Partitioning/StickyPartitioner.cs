using System.Collections.Concurrent;

namespace Platform.Core.Log.Partitioning;

/// <summary>
/// Keyless records stick to one partition per topic until about a batch's worth of bytes went
/// there, then move on (Kafka's sticky partitioner), so they form full batches instead of many
/// small ones; with writer leases, only among the partitions this instance leads.
/// </summary>
internal sealed class StickyPartitioner(int bytesPerStick)
{
    private readonly ConcurrentDictionary<string, Stick> _sticks = new(StringComparer.Ordinal);

    /// <summary>The partition of a keyless record; among <paramref name="led"/> when this instance leads any (writer leases).</summary>
    public int Next(string topic, int partitions, int recordBytes, IReadOnlyList<int> led)
    {
        Stick stick = _sticks.GetOrAdd(topic, _ => new Stick(Random.Shared.Next(partitions)));
        lock (stick)
        {
            bool allowed = led.Count == 0 ? stick.Partition < partitions : led.Contains(stick.Partition);
            if (!allowed || stick.Bytes >= bytesPerStick)
            {
                stick.Partition = led.Count switch
                {
                    0 => partitions == 1 ? 0 : (stick.Partition + 1 + Random.Shared.Next(partitions - 1)) % partitions,
                    1 => led[0],
                    _ => IndexOf(led, stick.Partition) is var at && at < 0
                        ? led[Random.Shared.Next(led.Count)]
                        : led[(at + 1 + Random.Shared.Next(led.Count - 1)) % led.Count],
                };
                stick.Bytes = 0;
            }

            stick.Bytes += recordBytes;
            return stick.Partition;
        }
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class Stick(int partition)
    {
        public int Partition { get; set; } = partition;

        public long Bytes { get; set; }
    }
}
