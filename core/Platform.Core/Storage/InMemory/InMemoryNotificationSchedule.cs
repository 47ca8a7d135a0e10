using System.Globalization;

namespace Platform.Core.Storage.InMemory;

/// <summary>Parked notifications and gathering digests in memory, versioned like the table.</summary>
public sealed class InMemoryNotificationSchedule : INotificationSchedule
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingDelivery> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DigestEntry>> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string MessageId), string> _joined = [];
    private long _versions;

    /// <inheritdoc />
    public Task ParkAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            if (!_items.ContainsKey(ItemKey(item))) _items[ItemKey(item)] = item with { Version = NextVersion() };
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> IsParkedAsync(string id, string channel, string recipient, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_items.ContainsKey("s\n" + id + "\n" + channel + "\n" + recipient));
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
            if (!_items.TryGetValue(key, out var held) || held.Version != item.Version || held.Gathering != item.Gathering) return Task.FromResult<string?>(null);
            var version = NextVersion();
            _items[key] = item with { Version = version };
            return Task.FromResult<string?>(version);
        }
    }

    /// <inheritdoc />
    public Task<string?> TryCloseDigestAsync(PendingDelivery digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        lock (_gate) return Task.FromResult(Close(digest));
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
            foreach (var joined in _joined.Where(j => j.Value == item.Id).ToList()) _joined.Remove(joined.Key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<string> JoinDigestAsync(string channel, string recipient, string digestKey, DigestEntry entry, long now, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var group = string.Join('\n', channel, recipient, digestKey);
            if (_joined.TryGetValue((group, entry.MessageId), out var already)) return Task.FromResult(already);
            var gathering = _items.Values.FirstOrDefault(i => i.Gathering && i.DigestKey == digestKey && i.Channel == channel && i.Recipient == recipient);
            if (gathering is not null && (gathering.Due <= now || _entries.GetValueOrDefault(ItemKey(gathering))?.Count >= DigestIds.MaxEntries))
            {
                Close(gathering);
                gathering = null;
            }
            if (gathering is null)
            {
                gathering = new PendingDelivery(DigestIds.New(channel, recipient, digestKey, now), channel, recipient, digestKey,
                    now + (long)window.TotalMilliseconds, 0, 0, null, true, ReadOnlyMemory<byte>.Empty, NextVersion());
                _items[ItemKey(gathering)] = gathering;
            }
            var entries = _entries.TryGetValue(ItemKey(gathering), out var list) ? list : _entries[ItemKey(gathering)] = [];
            entries.Add(entry);
            _joined[(group, entry.MessageId)] = gathering.Id;
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

    private string? Close(PendingDelivery digest)
    {
        var key = ItemKey(digest);
        if (!_items.TryGetValue(key, out var held) || held.Version != digest.Version || !held.Gathering) return null;
        var version = NextVersion();
        _items[key] = held with { Gathering = false, Version = version };
        return version;
    }

    private static string ItemKey(PendingDelivery item) => item.IsDigest ? "g\n" + item.Id : "s\n" + item.Id + "\n" + item.Channel + "\n" + item.Recipient;

    private string NextVersion() => (++_versions).ToString(CultureInfo.InvariantCulture);
}
