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
/// <param name="Group">Consumer group.</param>
/// <param name="Topic">Topic read.</param>
/// <param name="Handler">The job.</param>
/// <param name="Reset">Where a new group starts.</param>
/// <param name="DeadLetterRetriable">
/// False for jobs whose retriable failures mean "the sink is overloaded, not the record is bad" (429 storms):
/// after the attempts the partition stops without committing and the next run tries again, instead of dead-lettering.
/// </param>
public sealed record ConsumerRegistration(string Group, string Topic, IConsumerHandler Handler, OffsetReset Reset = OffsetReset.Earliest, bool DeadLetterRetriable = true);
