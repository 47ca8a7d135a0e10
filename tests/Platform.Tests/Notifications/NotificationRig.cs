using Platform.Benchmarks.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Platform.Core.Consumers;
using Platform.Core.Consumers.Notifications;
using Platform.Core.Consumers.Notifications.Scheduling;
using Platform.Core.Log;
using Platform.Core.Storage;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Notifications;

/// <summary>The delivery job and its dispatcher wired as in the host, over in-memory stores and a clock the test moves.</summary>
internal sealed class NotificationRig : IAsyncDisposable
{
    private long _offset;

    public NotificationRig(NotificationOptions options, INotificationStore? store = null, INotificationSchedule? schedule = null)
    {
        Options = options;
        Engine = new TestEngine(StorageSet.InMemory());
        Store = store ?? new InMemoryNotificationStore();
        Schedule = schedule ?? new InMemoryNotificationSchedule();
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Channels = new NotificationChannels(new HttpClient { Timeout = TimeSpan.FromSeconds(5) }, wrapped, Time);
        var outcomes = new NotificationOutcomes(Store, Engine.Producer, Engine.Topics, wrapped, new NotificationTelemetry(), Time);
        var delivery = new RecipientDelivery(Store, Schedule, Channels, new NotificationRateLimiter(new InMemoryRateLimitStore(), wrapped, Time), outcomes, wrapped, Time);
        Job = new NotificationDeliveryJob(Store, Schedule, delivery, outcomes, Time);
        Dispatcher = new NotificationDispatcher(Schedule, Store, delivery, outcomes, new NotificationTelemetry(), wrapped, Time, NullLogger<NotificationDispatcher>.Instance);
    }

    public static NotificationRig ForSmtp(SmtpSink smtp, Action<NotificationOptions>? configure = null)
    {
        var options = new NotificationOptions
        {
            Smtp = new SmtpSettings { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "alerts@platform.example", UnsubscribeUrl = "https://platform.example/unsubscribe" },
        };
        configure?.Invoke(options);
        return new NotificationRig(options);
    }

    public NotificationOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public TestEngine Engine { get; }

    public INotificationStore Store { get; }

    public INotificationSchedule Schedule { get; }

    public NotificationChannels Channels { get; }

    public NotificationDeliveryJob Job { get; }

    public NotificationDispatcher Dispatcher { get; }

    /// <summary>A batch of messages at the next offsets of partition 0.</summary>
    public ConsumerBatch Batch(params string[] messages) => new(Options.Topic, new TopicPartition(Options.Topic, 0),
        [.. messages.Select(m => new LogRecord(_offset++, 0, 0, null, System.Text.Encoding.UTF8.GetBytes(m), []))]);

    /// <summary>Handles messages as the consumer runtime would.</summary>
    public Task<IReadOnlyList<RecordFailure>> HandleAsync(params string[] messages) => Job.HandleAsync(Batch(messages), default);

    /// <summary>Moves the clock on and runs the dispatcher until nothing more is due.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        for (var round = 0; round < 100 && await Dispatcher.DispatchDueAsync(default) > 0; round++)
        {
        }
    }

    public async Task<string?> StateAsync(string id, string channel, string recipient) =>
        (await Store.GetDeliveryAsync(id, channel, recipient, default))?.State;

    public async ValueTask DisposeAsync()
    {
        await Channels.DisposeAsync();
        await Engine.DisposeAsync();
    }
}
