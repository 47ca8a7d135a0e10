namespace Platform.Core.Consumers;

/// <summary>The jobs this app runs: every <see cref="ConsumerRegistration"/> registered in DI.</summary>
public sealed class ConsumerRegistry(IEnumerable<ConsumerRegistration> registrations)
{
    private readonly ConsumerRegistration[] _all = [.. registrations];

    /// <summary>All jobs.</summary>
    public IReadOnlyList<ConsumerRegistration> All => _all;

    /// <summary>The jobs that read <paramref name="topic"/>.</summary>
    public IEnumerable<ConsumerRegistration> For(string topic) => _all.Where(r => string.Equals(r.Topic, topic, StringComparison.Ordinal));
}
