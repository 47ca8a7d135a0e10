using System.Collections.Concurrent;
using Platform.Core.Log;
using Platform.Core.Storage;
using Platform.Core.Storage.InMemory;

namespace Platform.Tests.Fixtures;

/// <summary>An offset index (in memory, or the one given) that records every <see cref="AddAsync"/> call.</summary>
public sealed class RecordingIndex(IOffsetIndex? inner = null) : IOffsetIndex
{
    private readonly IOffsetIndex _inner = inner ?? new InMemoryOffsetIndex();

    public ConcurrentQueue<(TopicPartition Partition, IReadOnlyList<BatchIndexEntry> Entries)> Calls { get; } = new();

    /// <summary>Entries added so far, over every call.</summary>
    public int EntriesAdded => Calls.Sum(c => c.Entries.Count);

    public Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
    {
        Calls.Enqueue((partition, [.. entries]));
        return _inner.AddAsync(partition, entries, cancellationToken);
    }

    public Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => _inner.FindByOffsetAsync(partition, offset, cancellationToken);

    public Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken) => _inner.FindByTimeAsync(partition, appendTime, cancellationToken);

    public Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken) => _inner.ReplaceAsync(partition, span, entries, cancellationToken);

    public Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => _inner.DeleteBeforeAsync(partition, offset, cancellationToken);

    public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken) => _inner.ClearAsync(partition, cancellationToken);
}
