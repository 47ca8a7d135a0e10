using Microsoft.Extensions.Logging;
using Platform.Core.Log;

namespace Platform.Core.Consumers;

/// <summary>
/// Hands a batch to a job: retries the records it fails (back-off doubling from RetryBackoff, HandlerAttempts in all),
/// then dead-letters them, or, for jobs that must not dead-letter retriable failures, pauses. The outcome is a value.
/// </summary>
internal sealed partial class HandlerInvoker(DeadLetterWriter deadLetters, ConsumerOptions options, TimeProvider time, ILogger logger)
{
    public async Task<HandleOutcome> HandleAsync(ConsumerRegistration registration, TopicPartition tp, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
    {
        ConsumerOptions o = options;
        IReadOnlyList<LogRecord> pending = records;
        var dead = new List<(LogRecord, string)>();
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            IReadOnlyList<RecordFailure> failures;
            try
            {
                failures = await registration.Handler.HandleAsync(new ConsumerBatch(registration.Group, tp, pending), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures = [.. pending.Select(r => new RecordFailure(r.Offset, ex.Message, Retriable: true))];
            }

            var byOffset = new Dictionary<long, RecordFailure>();
            foreach (RecordFailure f in failures)
            {
                byOffset.TryAdd(f.Offset, f);
            }

            var retry = new List<LogRecord>();
            foreach (LogRecord record in pending)
            {
                if (!byOffset.TryGetValue(record.Offset, out RecordFailure? failure))
                {
                    continue;
                }

                if (failure.Retriable && attempt < o.HandlerAttempts)
                {
                    retry.Add(record);
                }
                else if (failure.Retriable && !registration.DeadLetterRetriable)
                {
                    return new HandleOutcome(HandleStatus.Paused, 0, 0, failure.Error);
                }
                else
                {
                    dead.Add((record, failure.Error));
                    LogDeadLettered(logger, registration.Group, tp.Topic, tp.Partition, record.Offset, failure.Error);
                }
            }

            pending = retry;
            if (pending.Count > 0)
            {
                await Task.Delay(o.RetryBackoff * (1 << Math.Min(attempt - 1, 6)), time, cancellationToken).ConfigureAwait(false);
            }
        }

        await deadLetters.WriteAsync(registration.Group, tp, dead, cancellationToken).ConfigureAwait(false);
        return new HandleOutcome(HandleStatus.Done, records.Count - dead.Count, dead.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} dead-lettered {Topic}/{Partition} offset {Offset}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string group, string topic, int partition, long offset, string error);
}
