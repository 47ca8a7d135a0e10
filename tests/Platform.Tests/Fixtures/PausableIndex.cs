using Platform.Core.Log;
using Platform.Core.Storage;

namespace Platform.Tests.Fixtures;

/// <summary>An index whose writes can be dropped, to make it lag behind the blobs.</summary>
public sealed class PausableIndex(IOffsetIndex inner) : IOffsetIndex
{
    public bool DropWrites { get; set; }

    public Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken) =>
        DropWrites ? Task.CompletedTask : inner.AddAsync(partition, entries, cancellationToken);

    public Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) =>
        inner.FindByOffsetAsync(partition, offset, cancellationToken);

    public Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken) =>
        inner.FindByTimeAsync(partition, appendTime, cancellationToken);

    public Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken) => inner.ReplaceAsync(partition, span, entries, cancellationToken);

    public Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => inner.DeleteBeforeAsync(partition, offset, cancellationToken);

    public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ClearAsync(partition, cancellationToken);
}
