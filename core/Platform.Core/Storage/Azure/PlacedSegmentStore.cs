using Platform.Core.Log;
using Platform.Core.Log.Topics;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Segments spread over several storage accounts: each call goes to the account the topic's config places the
/// partition in (<see cref="TopicConfig.SegmentAccounts"/>, fixed at creation). With one account it is that account.
/// </summary>
public sealed class PlacedSegmentStore(IReadOnlyDictionary<string, AzureSegmentStore> accounts, TopicManager topics) : ISegmentStore, IProvisionedStore
{
    private readonly AzureSegmentStore _primary = accounts[TopicPlacement.Primary];
    private readonly bool _placesAnywhere = accounts.Count > 1;

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (AzureSegmentStore store in accounts.Values)
        {
            await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).ListGenerationsAsync(partition, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).GetSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).GetGenerationAsync(partition, segment, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).CreateSegmentAsync(partition, baseOffset, limits, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).AppendAsync(partition, baseOffset, data, expectedPosition, maxSize, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).ReadAsync(partition, segment, position, destination, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<(SegmentInfo? Info, int Read)> ReadFromAsync(TopicPartition partition, long baseOffset, long position, Memory<byte> destination, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).ReadFromAsync(partition, baseOffset, position, destination, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).DeleteSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) =>
        await (await StoreAsync(partition, cancellationToken).ConfigureAwait(false)).DeleteGenerationAsync(partition, segment, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) => new PlacedUpload(this, partition, segment);

    /// <summary>The account of a partition; the main one for a partition of a topic not (or no longer) known.</summary>
    public async ValueTask<AzureSegmentStore> StoreAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        // Even with one account configured the topic's placement is checked (a cached lookup): a partition placed on an
        // account that was removed must fail loudly, never start again at offset 0 in the main account.
        // A deleted topic keeps its placement until its row goes: the sweep must delete where the segments are.
        TopicConfig? config = await topics.FindAsync(partition.Topic, cancellationToken).ConfigureAwait(false)
            ?? (_placesAnywhere ? await topics.FindStoredAsync(partition.Topic, cancellationToken).ConfigureAwait(false) : null);
        if (!_placesAnywhere && config?.SegmentAccounts is null)
        {
            return _primary;
        }

        string label = config?.SegmentAccountOf(partition.Partition) ?? TopicPlacement.Primary;
        return accounts.TryGetValue(label, out AzureSegmentStore? store)
            ? store
            : throw new InvalidOperationException($"Partition {partition} keeps its segments in storage account '{label}', which Platform:Storage:SegmentAccounts no longer configures; partitions never move, so configure it again.");
    }

    /// <summary>An upload whose account is resolved on its first block.</summary>
    private sealed class PlacedUpload(PlacedSegmentStore owner, TopicPartition partition, SegmentRef segment) : ISegmentUpload
    {
        private ISegmentUpload? _inner;

        public async Task StageAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken) =>
            await (await InnerAsync(cancellationToken).ConfigureAwait(false)).StageAsync(block, cancellationToken).ConfigureAwait(false);

        public async Task<bool> CommitAsync(CancellationToken cancellationToken) =>
            await (await InnerAsync(cancellationToken).ConfigureAwait(false)).CommitAsync(cancellationToken).ConfigureAwait(false);

        private async ValueTask<ISegmentUpload> InnerAsync(CancellationToken cancellationToken) =>
            _inner ??= (await owner.StoreAsync(partition, cancellationToken).ConfigureAwait(false)).BeginRewrite(partition, segment);
    }
}
