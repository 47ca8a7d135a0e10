using Platform.Core.Consumers.Notifications;

namespace Platform.Core.Storage.InMemory;

/// <summary>Templates and the delivery log in memory.</summary>
public sealed class InMemoryNotificationStore : INotificationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NotificationTemplate> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string, string), DeliveryRecord> _deliveries = [];
    private readonly HashSet<(string, string)> _optOuts = [];

    /// <inheritdoc />
    public Task<bool> IsOptedOutAsync(string channel, string recipient, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_optOuts.Contains((channel, recipient.ToLowerInvariant())));
    }

    /// <inheritdoc />
    public Task SetOptOutAsync(string channel, string recipient, bool optedOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        lock (_gate)
        {
            if (optedOut) _optOuts.Add((channel, recipient.ToLowerInvariant()));
            else _optOuts.Remove((channel, recipient.ToLowerInvariant()));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PutTemplateAsync(NotificationTemplate notificationTemplate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notificationTemplate);
        lock (_gate) _templates[notificationTemplate.Name] = notificationTemplate;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<NotificationTemplate?> GetTemplateAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_templates.GetValueOrDefault(name));
    }

    /// <inheritdoc />
    public Task<DeliveryRecord?> GetDeliveryAsync(string id, string channel, string recipient, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_deliveries.GetValueOrDefault((id, channel, recipient)));
    }

    /// <inheritdoc />
    public Task<Reservation> TryReserveAsync(string id, string channel, string recipient, long now, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_deliveries.TryGetValue((id, channel, recipient), out var held))
            {
                if (NotificationStates.IsFinal(held.State)) return Task.FromResult(Reservation.Done);
                if (held.State == "sending" && held.UpdatedAt > now - (long)staleAfter.TotalMilliseconds) return Task.FromResult(Reservation.Busy);
            }
            _deliveries[(id, channel, recipient)] = new DeliveryRecord(id, channel, recipient, "sending", null, now);
            return Task.FromResult(Reservation.Reserved);
        }
    }

    /// <inheritdoc />
    public Task PutDeliveryAsync(DeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            var key = (record.Id, record.Channel, record.Recipient);
            if (NotificationStates.IsFinal(record.State) || !_deliveries.TryGetValue(key, out var held) || !NotificationStates.IsFinal(held.State)) _deliveries[key] = record;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<DeliveryRecord>>([.. _deliveries.Values.Where(d => d.Id == id)]);
    }
}
