using Azure.Data.Tables;
using Platform.Core.Consumers.Notifications;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Table <c>{prefix}notifications</c>: templates under PartitionKey <c>template</c> (RowKey = name), and the delivery
/// log under PartitionKey <c>d:{hash of the id}</c>, RowKey = hash of channel and recipient, so one query lists a
/// notification's outcomes.
/// </summary>
public sealed class AzureNotificationStore(TableClient table) : INotificationStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task PutTemplateAsync(NotificationTemplate notificationTemplate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notificationTemplate);
        await table.UpsertEntityAsync(new TableEntity("template", notificationTemplate.Name)
        {
            ["Subject"] = notificationTemplate.Subject, ["Text"] = notificationTemplate.Text, ["Html"] = notificationTemplate.Html,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<NotificationTemplate?> GetTemplateAsync(string name, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>("template", name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e ? new NotificationTemplate(name, e.GetString("Subject") ?? "", e.GetString("Text"), e.GetString("Html")) : null;
    }

    /// <inheritdoc />
    public async Task<DeliveryRecord?> GetDeliveryAsync(string id, string channel, string recipient, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(id), Row(channel, recipient), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e ? Record(e) : null;
    }

    /// <inheritdoc />
    public async Task<Reservation> TryReserveAsync(string id, string channel, string recipient, long now, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition(id), Row(channel, recipient))
        {
            ["Id"] = id, ["Channel"] = channel, ["Recipient"] = recipient, ["State"] = "sending", ["UpdatedAt"] = now,
        };
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var held = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (held.HasValue && held.Value is { } existing)
            {
                var state = existing.GetString("State") ?? "";
                if (NotificationStates.IsFinal(state)) return Reservation.Done;
                if (state == "sending" && (existing.GetInt64("UpdatedAt") ?? 0) > now - (long)staleAfter.TotalMilliseconds) return Reservation.Busy;
            }
            var version = held.HasValue ? held.Value!.ETag.ToString() : null;
            if (await TableWrites.TryWriteAsync(table, entity, version, "a delivery reservation", cancellationToken).ConfigureAwait(false) is not null) return Reservation.Reserved;
        }
        return Reservation.Busy;
    }

    /// <inheritdoc />
    public async Task PutDeliveryAsync(DeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entity = new TableEntity(Partition(record.Id), Row(record.Channel, record.Recipient))
        {
            ["Id"] = record.Id, ["Channel"] = record.Channel, ["Recipient"] = record.Recipient, ["State"] = record.State,
            ["Reason"] = record.Reason, ["UpdatedAt"] = record.UpdatedAt,
        };
        if (NotificationStates.IsFinal(record.State))
        {
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return;
        }
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var held = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, ["State"], cancellationToken).ConfigureAwait(false);
            if (held.HasValue && held.Value is { } current && NotificationStates.IsFinal(current.GetString("State") ?? "")) return;
            var version = held.HasValue ? held.Value!.ETag.ToString() : null;
            if (await TableWrites.TryWriteAsync(table, entity, version, "a delivery outcome", cancellationToken).ConfigureAwait(false) is not null) return;
        }
    }

    /// <inheritdoc />
    public async Task<bool> IsOptedOutAsync(string channel, string recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var found = await table.GetEntityIfExistsAsync<TableEntity>("optout", Row(channel, recipient.ToLowerInvariant()), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue;
    }

    /// <inheritdoc />
    public async Task SetOptOutAsync(string channel, string recipient, bool optedOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var row = Row(channel, recipient.ToLowerInvariant());
        if (optedOut)
        {
            await table.UpsertEntityAsync(new TableEntity("optout", row) { ["Channel"] = channel, ["Recipient"] = recipient }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await table.DeleteEntityAsync("optout", row, global::Azure.ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string id, CancellationToken cancellationToken)
    {
        var records = new List<DeliveryRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(id)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(Record(e));
        }
        return records;
    }

    private static DeliveryRecord Record(TableEntity e) => new(e.GetString("Id") ?? "", e.GetString("Channel") ?? "", e.GetString("Recipient") ?? "",
        e.GetString("State") ?? "", e.GetString("Reason"), e.GetInt64("UpdatedAt") ?? 0);

    private static string Partition(string id) => "d:" + Hash(id);

    private static string Row(string channel, string recipient) => Hash(channel + "\n" + recipient);

    private static string Hash(string text) => StorageNames.HashedKey(text);
}
