using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Partitioning;

/// <summary>
/// Which partitions of a topic this instance is the preferred writer of, so that records whose partition the platform
/// chooses (keyless, OTLP) go where no other instance appends: the instances that write a topic share its partitions
/// the way a consumer group does (membership, claims on the storage's clock, the same fair-share plan), under the
/// reserved group <see cref="Group"/>. A lease is a preference, not a lock: any instance may still append anywhere
/// (keyed records go where their key says; the conditional append keeps that safe), and a lapsed lease costs nothing
/// but contention until it is taken again.
/// </summary>
public sealed partial class WriterLeases(IOwnershipStore ownership, IOptions<LogOptions> options, TimeProvider time, ILogger<WriterLeases> logger) : IAsyncDisposable
{
    /// <summary>The ownership group of writer leases; consumer group names may not start with '$'.</summary>
    public const string Group = "$writers";

    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly IOwnershipStore _ownership = ownership;
    private readonly IOptions<LogOptions> _options = options;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;
    private readonly ConcurrentDictionary<string, TopicLeases> _topics = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// The partitions of <paramref name="topic"/> this instance leads now (empty until its first balance, or when it
    /// leads none); asking keeps the leases of the topic alive, and not asking for a while lets them go.
    /// </summary>
    public IReadOnlyList<int> Led(string topic, int partitions)
    {
        if (!_options.Value.WriterLeases || partitions < 2)
        {
            return [];
        }

        while (!_stopping.IsCancellationRequested)
        {
            // A topic's leases that just ended (nobody asked for a while) are replaced, never restarted.
            if (_topics.GetOrAdd(topic, t => new TopicLeases(this, t)).Touch(partitions) is { } led)
            {
                return led;
            }
        }

        return [];
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (TopicLeases leases in _topics.Values)
        {
            await leases.StopAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Writer leases on {Topic}: leading {Partitions}")]
    private static partial void LogLeading(ILogger logger, string topic, IReadOnlyList<int> partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writer leases on {Topic} could not be balanced; records go to any partition meanwhile")]
    private static partial void LogBalanceFailed(ILogger logger, Exception exception, string topic);

    /// <summary>One topic's leases: balanced in the background while this instance keeps producing to it.</summary>
    private sealed class TopicLeases(WriterLeases owner, string topic)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<int, PartitionClaim> _held = [];
        private int[] _led = [];
        private int _partitions;
        private long _lastAsked;
        private Task? _loop;
        private bool _ended;

        /// <summary>The partitions led now, keeping the leases alive; null once these leases have ended.</summary>
        public int[]? Touch(int partitions)
        {
            Volatile.Write(ref _lastAsked, owner._time.GetTimestamp());
            lock (_gate)
            {
                if (_ended)
                {
                    return null;
                }

                _partitions = partitions;
                _loop ??= Task.Run(LoopAsync);
            }

            return Volatile.Read(ref _led);
        }

        public async Task StopAsync()
        {
            Task? loop;
            lock (_gate)
            {
                loop = _loop;
            }

            if (loop is not null)
            {
                await loop.ConfigureAwait(false);
            }
        }

        private async Task LoopAsync()
        {
            LogOptions o = owner._options.Value;
            CancellationToken stopping = owner._stopping.Token;
            try
            {
                while (!stopping.IsCancellationRequested && owner._time.GetElapsedTime(Volatile.Read(ref _lastAsked)) < o.WriterLeaseDuration)
                {
                    bool settled = false;
                    try
                    {
                        settled = await BalanceAsync(o, stopping).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!stopping.IsCancellationRequested)
                    {
                        // A storage time-out is a failed round, not a reason to give the partitions up.
                        LogBalanceFailed(owner._logger, ex, topic);
                    }

                    // Quickly while the share is moving (instances came or went), at a third of the lease once it holds.
                    TimeSpan pause = settled ? o.WriterLeaseDuration / 3 : TimeSpan.FromMilliseconds(500);
                    await Task.Delay(pause, owner._time, stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }

            await LeaveAsync().ConfigureAwait(false);
        }

        // Heartbeat, then the consumer groups' fair-share plan: claim free partitions up to the share, renew the rest,
        // release the excess. True when nothing had to move.
        private async Task<bool> BalanceAsync(LogOptions o, CancellationToken cancellationToken)
        {
            int partitions = _partitions;
            await owner._ownership.HeartbeatAsync(Group, topic, owner._instance, o.WriterLeaseDuration, cancellationToken).ConfigureAwait(false);
            OwnershipSnapshot snapshot = await owner._ownership.ListAsync(Group, topic, cancellationToken).ConfigureAwait(false);
            BalancePlan plan = PartitionBalancer.Plan(partitions, snapshot.Claims, snapshot.LiveMembers, owner._instance, snapshot.StorageNow);
            PartitionClaim[] mine = [.. snapshot.Claims.Where(c => c.Owner == owner._instance && c.IsLive(snapshot.StorageNow))];
            foreach (PartitionClaim claim in mine.Where(c => plan.Release.Contains(c.Partition)))
            {
                _held.Remove(claim.Partition);
            }

            Publish(); // stop writing to what is released before it goes

            // Renewals and releases side by side (16 at a time): a round over many partitions stays well within a lease.
            var renewed = new System.Collections.Concurrent.ConcurrentDictionary<int, PartitionClaim?>();
            await Parallel.ForEachAsync(mine, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (claim, ct) =>
            {
                if (plan.Release.Contains(claim.Partition))
                {
                    await owner._ownership.ReleaseAsync(Group, topic, claim, ct).ConfigureAwait(false);
                }
                else
                {
                    renewed[claim.Partition] = await owner._ownership.TryClaimAsync(Group, topic, claim.Partition, owner._instance, claim, o.WriterLeaseDuration, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            foreach ((int partition, PartitionClaim? claim) in renewed)
            {
                if (claim is null)
                {
                    _held.Remove(partition);
                }
                else
                {
                    _held[partition] = claim;
                }
            }

            foreach (int partition in _held.Keys.Where(p => !snapshot.Claims.Any(c => c.Partition == p && c.Owner == owner._instance && c.IsLive(snapshot.StorageNow))).ToList())
            {
                _held.Remove(partition);
            }

            foreach (int partition in plan.Claim)
            {
                PartitionClaim? current = snapshot.Claims.FirstOrDefault(c => c.Partition == partition);
                if (await owner._ownership.TryClaimAsync(Group, topic, partition, owner._instance, current, o.WriterLeaseDuration, cancellationToken).ConfigureAwait(false) is { } claimed)
                {
                    _held[partition] = claimed;
                }
            }

            Publish();

            // Settled once this instance holds its whole share; until then (partitions another instance is about to
            // release) it looks again soon.
            int members = snapshot.LiveMembers.Append(owner._instance).Distinct(StringComparer.Ordinal).Count();
            return plan.Claim.Count == 0 && plan.Release.Count == 0 && _held.Count >= partitions / members;
        }

        private void Publish()
        {
            int[] led = [.. _held.Keys.Order()];
            if (!led.AsSpan().SequenceEqual(Volatile.Read(ref _led)))
            {
                LogLeading(owner._logger, topic, led);
            }

            Volatile.Write(ref _led, led);
        }

        // Let the partitions go at once (not after the lease lapses) when this instance stops writing the topic.
        private async Task LeaveAsync()
        {
            lock (_gate)
            {
                _ended = true; // a Touch from now on gets null and asks for the topic's next leases
            }

            Volatile.Write(ref _led, []);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                foreach (PartitionClaim claim in _held.Values)
                {
                    await owner._ownership.ReleaseAsync(Group, topic, claim, timeout.Token).ConfigureAwait(false);
                }

                await owner._ownership.LeaveAsync(Group, topic, owner._instance, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Best effort: leases lapse on their own.
            }

            _held.Clear();
            lock (_gate)
            {
                _ended = true;
                owner._topics.TryRemove(KeyValuePair.Create(topic, this));
            }
        }
    }
}
