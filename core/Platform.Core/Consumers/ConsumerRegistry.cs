namespace Platform.Core.Consumers;

/// <summary>The jobs this app runs: every <see cref="ConsumerRegistration"/> in DI, and every <see cref="IConsumerJob"/> that is on.</summary>
public sealed class ConsumerRegistry(IEnumerable<ConsumerRegistration> registrations, IEnumerable<IConsumerJob> jobs)
{
    // Publication-only: a job that failed to resolve once is asked again next time, not remembered as failed.
    private readonly Lazy<ConsumerRegistration[]> _all = new(() => Checked([.. registrations, .. jobs.Select(j => j.Registration).OfType<ConsumerRegistration>()]), LazyThreadSafetyMode.PublicationOnly);

    // A job's group name must be one storage keys take, and never one of the platform's own ('$writers').
    private static ConsumerRegistration[] Checked(ConsumerRegistration[] all) =>
        all.FirstOrDefault(r => GroupName.Validate(r.Group) is not null) is { } bad
            ? throw new InvalidOperationException($"Consumer job on topic '{bad.Topic}': {GroupName.Validate(bad.Group)}")
            : all;

    /// <summary>All jobs.</summary>
    public IReadOnlyList<ConsumerRegistration> All => _all.Value;

    private HashSet<string>? _topics; // derived from All once; a race builds the same set twice, harmlessly

    /// <summary>True when some job reads <paramref name="topic"/> (one set lookup: asked after every append).</summary>
    public bool Reads(string topic) => (_topics ??= new HashSet<string>(All.Select(r => r.Topic), StringComparer.Ordinal)).Contains(topic);

    /// <summary>The jobs that read <paramref name="topic"/>.</summary>
    public IEnumerable<ConsumerRegistration> For(string topic) => _all.Value.Where(r => string.Equals(r.Topic, topic, StringComparison.Ordinal));
}
