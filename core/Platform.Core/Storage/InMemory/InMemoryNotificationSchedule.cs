using System.Globalization;

namespace Platform.Core.Storage.InMemory;

/// <summary>Parked notifications and gathering digests in memory, versioned like the table.</summary>
public sealed class InMemoryNotificationSchedule : INotificationSchedule
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingDelivery> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DigestEntry>> _entries = new(StringComparer.Ordinal);
    private long _versions;

    /// <inheritdoc />
    public Task ParkAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate) _items[ItemKey(item)] = item with { Version = NextVersion() };
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingDelivery>> DueAsync(long now, int max, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<PendingDelivery>>([.. _items.Values.Where(i => i.Due <= now).OrderBy(i => i.Due).Take(max)]);
    }

    /// <inheritdoc />
    public Task<string?> TryUpdateAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            var key = ItemKey(item);
            if (!_items.TryGetValue(key, out var held) || held.Version != item.Version) return Task.FromResult<string?>(null);
            var version = NextVersion();
            _items[key] = item with { Version = version };
            return Task.FromResult<string?>(version);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryRemoveAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            var key = ItemKey(item);
            if (!_items.TryGetValue(key, out var held) || held.Version != item.Version) return Task.FromResult(false);
            _items.Remove(key);
            _entries.Remove(key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<string> JoinDigestAsync(string channel, string recipient, string digestKey, DigestEntry entry, long now, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var gathering = _items.Values.FirstOrDefault(i => i.Gathering && i.DigestKey == digestKey && i.Channel == channel && i.Recipient == recipient);
            if (gathering is null)
            {
                gathering = new PendingDelivery(DigestIds.New(channel, recipient, digestKey, now), channel, recipient, digestKey,
                    now + (long)window.TotalMilliseconds, 0, 0, null, true, ReadOnlyMemory<byte>.Empty, NextVersion());
                _items[ItemKey(gathering)] = gathering;
            }
            var entries = _entries.TryGetValue(ItemKey(gathering), out var list) ? list : _entries[ItemKey(gathering)] = [];
            if (!entries.Exists(e => e.MessageId == entry.MessageId)) entries.Add(entry);
            _items[ItemKey(gathering)] = gathering with { Version = NextVersion() };
            return Task.FromResult(gathering.Id);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DigestEntry>> DigestEntriesAsync(PendingDelivery digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        lock (_gate) return Task.FromResult<IReadOnlyList<DigestEntry>>(_entries.TryGetValue(ItemKey(digest), out var list) ? [.. list] : []);
    }

    private static string ItemKey(PendingDelivery item) => item.IsDigest ? "g\n" + item.Id : "s\n" + item.Id + "\n" + item.Channel + "\n" + item.Recipient;

    private string NextVersion() => (++_versions).ToString(CultureInfo.InvariantCulture);
}
