using Azure;
using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Table <c>{prefix}notificationschedule</c>. A parked recipient is one row (PartitionKey <c>s-{hash of id, channel and
/// recipient}</c>, RowKey <c>head</c>) holding the message. A digest lives in the partition of its recipient and key
/// (<c>g-{hash}</c>): its head (RowKey <c>h-{digest id}</c>) and one row per message (<c>e-{digest id}-{hash of the
/// message id}</c>). A message joins a digest in one transaction with a write to the head at the version it was read
/// at, so it cannot join a digest that a dispatcher closed in between.
/// </summary>
public sealed class AzureNotificationSchedule(TableClient table) : INotificationSchedule, IProvisionedStore
{
    private const string Head = "head";
    private const string Entry = "entry";
    private const int MaxDueRead = 5_000;

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task ParkAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await table.UpsertEntityAsync(ToEntity(item), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PendingDelivery>> DueAsync(long now, int max, CancellationToken cancellationToken)
    {
        var due = new List<PendingDelivery>();
        var filter = TableClient.CreateQueryFilter($"Kind eq {Head} and Due le {now}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            due.Add(FromEntity(e));
            if (due.Count >= MaxDueRead) break;
        }
        return [.. due.OrderBy(d => d.Due).Take(max)];
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
        var entries = new List<TableTransactionAction>();
        if (item.IsDigest)
        {
            await foreach (var e in EntryRowsAsync(item, cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All));
            }
        }
        // Entries first, in transactions of 100; the head, at its version, with the last of them.
        var head = new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition(item), Row(item)), new ETag(item.Version));
        try
        {
            while (entries.Count > 99)
            {
                await table.SubmitTransactionAsync(entries.GetRange(0, 99), cancellationToken).ConfigureAwait(false);
                entries.RemoveRange(0, 99);
            }
            await table.SubmitTransactionAsync([.. entries, head], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<string> JoinDigestAsync(string channel, string recipient, string digestKey, DigestEntry entry, long now, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var partition = DigestPartition(channel, recipient, digestKey);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            TableEntity? gathering = null;
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Kind eq {Head} and Gathering eq true");
            await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                gathering = e;
                break;
            }
            if (gathering is null)
            {
                var opened = new PendingDelivery(DigestIds.New(channel, recipient, digestKey, now + attempt), channel, recipient, digestKey,
                    now + (long)window.TotalMilliseconds, 0, 0, null, true, ReadOnlyMemory<byte>.Empty, null);
                await TableWrites.TryWriteAsync(table, ToEntity(opened), null, "a digest", cancellationToken).ConfigureAwait(false);
                continue;
            }
            var id = gathering.GetString("Id") ?? "";
            var row = new TableEntity(partition, EntryRow(id, entry.MessageId)) { ["Kind"] = Entry, ["MessageId"] = entry.MessageId, ["At"] = entry.At };
            TableBinary.Write(row, entry.Content.Span);
            // Touching the head at its version makes the join fail if the digest stopped gathering since it was read.
            var touch = new TableEntity(partition, gathering.RowKey) { ["Joined"] = (gathering.GetInt64("Joined") ?? 0) + 1 };
            try
            {
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, touch, gathering.ETag),
                    new TableTransactionAction(TableTransactionActionType.Add, row),
                ], cancellationToken).ConfigureAwait(false);
                return id;
            }
            catch (TableTransactionFailedException e) when (e.Status == 409)
            {
                // The message is in this digest already (handled again): it keeps its first place.
                return id;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
            {
            }
        }
        throw new InvalidOperationException($"Could not join digest '{digestKey}' after 20 tries: it keeps changing.");
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
            ["Gathering"] = item.Gathering,
        };
        TableBinary.Write(entity, item.Message.Span);
        return entity;
    }

    private static PendingDelivery FromEntity(TableEntity e) => new(
        e.GetString("Id") ?? "", e.GetString("Channel") ?? "", e.GetString("Recipient") ?? "", e.GetString("DigestKey"),
        e.GetInt64("Due") ?? 0, e.GetInt32("Attempts") ?? 0, e.GetInt64("FirstTriedAt") ?? 0, e.GetString("LastError"),
        e.GetBoolean("Gathering") ?? false, TableBinary.Read(e), e.ETag.ToString());

    private static string Partition(PendingDelivery item) => item.IsDigest
        ? DigestPartition(item.Channel, item.Recipient, item.DigestKey!)
        : "s-" + StorageNames.HashedKey(string.Join('\n', item.Id, item.Channel, item.Recipient));

    private static string DigestPartition(string channel, string recipient, string digestKey) => "g-" + StorageNames.HashedKey(string.Join('\n', channel, recipient, digestKey));

    private static string Row(PendingDelivery item) => item.IsDigest ? "h-" + item.Id : "head";

    private static string EntryRow(string digestId, string messageId) => "e-" + digestId + "-" + StorageNames.HashedKey(messageId)[..32];
}
