using Platform.Core.Consumers;

namespace Platform.Tests.Consumers;

/// <summary>A job registered in code is held to the same group-name rules as the HTTP API.</summary>
public sealed class ConsumerRegistryTests
{
    private sealed class Nothing : IConsumerHandler
    {
        public Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<RecordFailure>>([]);
    }

    [Theory]
    [InlineData("$writers", "keeps for its own groups")]
    [InlineData("a#b", "may not contain")]
    public void A_job_with_a_group_name_the_platform_keeps_or_storage_refuses_is_refused(string group, string expected)
    {
        var registry = new ConsumerRegistry([new ConsumerRegistration(group, "orders", new Nothing())], []);
        Assert.Contains(expected, Assert.Throws<InvalidOperationException>(() => registry.All).Message, StringComparison.Ordinal);
    }
}
