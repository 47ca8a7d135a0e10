using Azure;
using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Table <c>{prefix}notificationschedule</c>. A parked recipient is one row (PartitionKey <c>s-{hash of id, channel and
/// recipient}</c>, RowKey <c>head</c>) holding the message. Digests live in the partition of their recipient and key
/// (<c>g-{hash}</c>): the one gathering digest's head at the fixed RowKey <c>h</c> (so two joiners cannot open two),
/// closed heads at <c>c-{digest id}</c>, one row per message (<c>e-{digest id}-{hash of the message id}</c>) and a
/// marker per message (<c>m-{hash of the message id}</c>, naming its digest). A message joins in one transaction with
/// a write to the gathering head at the version it was read at and the adds of its entry and marker, so it cannot join
/// a digest closed in between, nor join twice; closing moves the head from <c>h</c> to <c>c-{id}</c> in one transaction.
/// </summary>
public sealed class AzureNotificationSchedule(TableClient table) : INotificationSchedule, IProvisionedStore
{
    private const string Head = "head";
    private const string Entry = "entry";
    private const string Marker = "marker";
    private const string GatheringRow = "h";
    private const int MaxDueRead = 5_000;

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task ParkAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await TableWrites.TryWriteAsync(table, ToEntity(item), null, "a parked notification", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> IsParkedAsync(string id, string channel, string recipient, CancellationToken cancellationToken)
    {
        var single = new PendingDelivery(id, channel, recipient, null, 0, 0, 0, null, false, ReadOnlyMemory<byte>.Empty, null);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(single), Row(single), ["PartitionKey"], cancellationToken).ConfigureAwait(false);
        return found.HasValue;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PendingDelivery>> DueAsync(long now, int max, CancellationToken cancellationToken)
    {
        // Keys and due times only (a parked message can be most of a megabyte), then the chosen ones whole.
        var keys = new List<(string Partition, string Row, long Due)>();
        var filter = TableClient.CreateQueryFilter($"Kind eq {Head} and Due le {now}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Due"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add((e.PartitionKey, e.RowKey, e.GetInt64("Due") ?? 0));
            if (keys.Count >= MaxDueRead) break;
        }
        var due = new List<PendingDelivery>();
        foreach (var (partition, row, _) in keys.OrderBy(k => k.Due).Take(max))
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (found.HasValue && found.Value is { } e) due.Add(FromEntity(e));
        }
        return due;
    }

    /// <inheritdoc />
    public async Task<string?> TryUpdateAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Version is null ? null : await TableWrites.TryWriteAsync(table, ToEntity(item), item.Version, "a parked notification", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> TryRemoveAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Version is null) return false;
        if (item.IsDigest)
        {
            // Entries and markers first (only ever removed once the digest has its outcome), then the head at its
            // version: a crash in between leaves the head, and the next removal finishes the job.
            var rows = new List<ITableEntity>();
            await foreach (var e in EntryRowsAsync(item, cancellationToken).ConfigureAwait(false)) rows.Add(e);
            var markers = table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(item)} and Kind eq {Marker} and DigestId eq {item.Id}"),
                select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken);
            await foreach (var e in markers.ConfigureAwait(false)) rows.Add(e);
            await TableDeletes.DeleteAsync(table, rows, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await TableDeletes.DeleteIfExistsAsync(table, Partition(item), Row(item), new ETag(item.Version), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<string?> TryCloseDigestAsync(PendingDelivery digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (digest.Version is null || !digest.Gathering) return null;
        var closed = digest with { Gathering = false };
        try
        {
            var response = await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition(digest), Row(digest)), new ETag(digest.Version)),
                new TableTransactionAction(TableTransactionActionType.Add, ToEntity(closed)),
            ], cancellationToken).ConfigureAwait(false);
            return TableVersion.Of(response.Value[1].Headers.ETag, "a closed digest");
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string> JoinDigestAsync(string channel, string recipient, string digestKey, DigestEntry entry, long now, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var partition = DigestPartition(channel, recipient, digestKey);
        var markerRow = "m-" + StorageNames.HashedKey(entry.MessageId)[..32];
        for (var attempt = 0; attempt < 30; attempt++)
        {
            if (attempt > 0) await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt, 10)), cancellationToken).ConfigureAwait(false);
            var marker = await table.GetEntityIfExistsAsync<TableEntity>(partition, markerRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (marker.HasValue && marker.Value?.GetString("DigestId") is { } joined) return joined;
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, GatheringRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!found.HasValue || found.Value is null)
            {
                var opened = new PendingDelivery(DigestIds.New(channel, recipient, digestKey, now), channel, recipient, digestKey,
                    now + (long)window.TotalMilliseconds, 0, 0, null, true, ReadOnlyMemory<byte>.Empty, null);
                await TableWrites.TryWriteAsync(table, ToEntity(opened), null, "a digest", cancellationToken).ConfigureAwait(false);
                continue;
            }
            var head = FromEntity(found.Value);
            if (head.Due <= now || (found.Value.GetInt64("Joined") ?? 0) >= DigestIds.MaxEntries)
            {
                // Its window is over or it is full: closed here (the dispatcher may be behind), and the message opens the next one.
                await TryCloseDigestAsync(head, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var row = new TableEntity(partition, EntryRow(head.Id, entry.MessageId)) { ["Kind"] = Entry, ["MessageId"] = entry.MessageId, ["At"] = entry.At };
            TableBinary.Write(row, entry.Content.Span);
            // Touching the head at its version makes the join fail if the digest stopped gathering since it was read.
            var touch = new TableEntity(partition, GatheringRow) { ["Joined"] = (found.Value.GetInt64("Joined") ?? 0) + 1 };
            try
            {
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, touch, found.Value.ETag),
                    new TableTransactionAction(TableTransactionActionType.Add, row),
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, markerRow) { ["Kind"] = Marker, ["DigestId"] = head.Id }),
                ], cancellationToken).ConfigureAwait(false);
                return head.Id;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
            {
                // Changed since it was read, or the message joined meanwhile (its marker answers on the next try).
            }
        }
        throw new InvalidOperationException($"Could not join digest '{digestKey}' after 30 tries: it keeps changing.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DigestEntry>> DigestEntriesAsync(PendingDelivery digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var entries = new List<DigestEntry>();
        await foreach (var e in EntryRowsAsync(digest, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new DigestEntry(e.GetString("MessageId") ?? "", TableBinary.Read(e), e.GetInt64("At") ?? 0));
        }
        return [.. entries.OrderBy(e => e.At).ThenBy(e => e.MessageId, StringComparer.Ordinal)];
    }

    private AsyncPageable<TableEntity> EntryRowsAsync(PendingDelivery digest, CancellationToken cancellationToken)
    {
        var prefix = "e-" + digest.Id + "-";
        return table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter(
            $"PartitionKey eq {Partition(digest)} and RowKey ge {prefix} and RowKey lt {prefix + "~"}"), cancellationToken: cancellationToken);
    }

    private static TableEntity ToEntity(PendingDelivery item)
    {
        var entity = new TableEntity(Partition(item), Row(item))
        {
            ["Kind"] = Head, ["Id"] = item.Id, ["Channel"] = item.Channel, ["Recipient"] = item.Recipient, ["DigestKey"] = item.DigestKey,
            ["Due"] = item.Due, ["Attempts"] = item.Attempts, ["FirstTriedAt"] = item.FirstTriedAt, ["LastError"] = item.LastError,
            ["Gathering"] = item.Gathering, ["BookedSlot"] = item.BookedSlot,
        };
        TableBinary.Write(entity, item.Message.Span);
        return entity;
    }

    private static PendingDelivery FromEntity(TableEntity e) => new(
        e.GetString("Id") ?? "", e.GetString("Channel") ?? "", e.GetString("Recipient") ?? "", e.GetString("DigestKey"),
        e.GetInt64("Due") ?? 0, e.GetInt32("Attempts") ?? 0, e.GetInt64("FirstTriedAt") ?? 0, e.GetString("LastError"),
        e.GetBoolean("Gathering") ?? false, TableBinary.Read(e), e.ETag.ToString(), e.GetInt64("BookedSlot") ?? 0);

    private static string Partition(PendingDelivery item) => item.IsDigest
        ? DigestPartition(item.Channel, item.Recipient, item.DigestKey!)
        : "s-" + StorageNames.HashedKey(string.Join('\n', item.Id, item.Channel, item.Recipient));

    private static string DigestPartition(string channel, string recipient, string digestKey) => "g-" + StorageNames.HashedKey(string.Join('\n', channel, recipient, digestKey));

    private static string Row(PendingDelivery item) => !item.IsDigest ? "head" : item.Gathering ? GatheringRow : "c-" + item.Id;

    private static string EntryRow(string digestId, string messageId) => "e-" + digestId + "-" + StorageNames.HashedKey(messageId)[..32];
}
