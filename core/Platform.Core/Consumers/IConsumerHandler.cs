using Platform.Core.Log;

namespace Platform.Core.Consumers;

/// <summary>Records of one partition handed to a job, in offset order.</summary>
public sealed record ConsumerBatch(string Group, TopicPartition Partition, IReadOnlyList<LogRecord> Records);

/// <summary>A record the handler could not handle; retriable ones are tried again before they are dead-lettered.</summary>
public sealed record RecordFailure(long Offset, string Error, bool Retriable);

/// <summary>A job that reads a topic: handles a batch and reports the records that failed (none: all succeeded).</summary>
public interface IConsumerHandler
{
    /// <summary>Handles the batch. Throwing counts as every record failing, retriably.</summary>
    Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken);
}

/// <summary>A job subscribed to a topic as a consumer group.</summary>
public sealed record ConsumerRegistration(string Group, string Topic, IConsumerHandler Handler, OffsetReset Reset = OffsetReset.Earliest);
