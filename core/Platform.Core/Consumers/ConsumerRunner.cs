using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>
/// Runs a consumer group's job on this instance: joins the group and claims its share of partitions
/// (<see cref="PartitionClaims"/>), drains each held partition from its committed offset (<see cref="PartitionDrain"/>),
/// handing batches to the job with retries and dead letters (<see cref="HandlerInvoker"/>). While a partition is
/// drained its claim is renewed in the background; when it is lost the job is cancelled and nothing is committed, so
/// two instances never process one partition at once. Claim expiry is judged on the storage's clock, never on an
/// instance's. At-least-once: a crash between handling and commit redelivers, never loses. Called by timer and queue
/// triggers.
/// </summary>
public sealed class ConsumerRunner
{
    private readonly TopicManager _topics;
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly PartitionDrain _drain;
    private readonly Lazy<PartitionClaims> _claims;

    /// <summary>Creates the runner; <see cref="InstanceId"/> names this instance in claims.</summary>
    public ConsumerRunner(TopicManager topics, LogReader reader, ICheckpointStore checkpoints, IOwnershipStore ownership, DeadLetterWriter deadLetters, ConsumerMetrics metrics, IOptions<ConsumerOptions> options, TimeProvider time, ILogger<ConsumerRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _topics = topics;
        _options = options.Value;
        _time = time;
        _drain = new PartitionDrain(reader, checkpoints, new HandlerInvoker(deadLetters, _options, time, logger), metrics, _options, time, logger);
        _claims = new Lazy<PartitionClaims>(() => new PartitionClaims(ownership, _options, time, logger, InstanceId));
    }

    /// <summary>This instance's name in ownership claims.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName[..Math.Min(20, Environment.MachineName.Length)]}-{Guid.NewGuid():N}";

    private volatile bool _stopped;

    /// <summary>Stops starting runs (on shutdown, before leaving): a run asked for after this does nothing.</summary>
    public void Stop() => _stopped = true;

    /// <summary>Balances, then drains the partitions this instance holds (all, or only <paramref name="only"/>).</summary>
    public async Task<RunResult> RunAsync(ConsumerRegistration registration, int? only, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        cancellationToken.ThrowIfCancellationRequested();
        if (_stopped)
        {
            return new RunResult([], 0, 0); // shutting down: joining the group again now would undo the leave
        }

        TopicConfig config = await _topics.GetAsync(registration.Topic, cancellationToken).ConfigureAwait(false);
        int[] held = await _claims.Value.BalanceAsync(registration.Group, config, cancellationToken).ConfigureAwait(false);
        long deadline = _time.GetTimestamp() + (long)(_options.MaxRunTime.TotalSeconds * _time.TimestampFrequency);
        var results = await Task.WhenAll(held.Where(p => only is null || p == only).Select(p =>
        {
            var tp = new TopicPartition(config.Name, p);
            return _claims.Value.WithClaimAsync(registration.Group, tp, keeper => _drain.DrainAsync(registration, tp, keeper, deadline, cancellationToken), cancellationToken);
        })).ConfigureAwait(false);
        return new RunResult(held, results.Sum(r => r.Handled), results.Sum(r => r.DeadLettered));
    }

    /// <summary>Balances, then drains every partition this instance holds.</summary>
    public Task<RunResult> RunAsync(ConsumerRegistration registration, CancellationToken cancellationToken) => RunAsync(registration, null, cancellationToken);

    /// <summary>Gives up this instance's claims and membership (on shutdown), so others take over at once.</summary>
    public Task LeaveAsync(ConsumerRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return _claims.Value.LeaveAsync(registration.Group, registration.Topic, cancellationToken);
    }
}
