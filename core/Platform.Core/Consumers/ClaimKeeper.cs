using Microsoft.Extensions.Logging;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>
/// A claim this instance holds, and until when (on this instance's monotonic clock) it may act on it: the time it sent
/// the write that last renewed the claim, plus most of the claim's duration. Another instance can take the claim only
/// a whole duration after the storage applied that write, which came after it was sent, so the two never overlap
/// whatever the instances' wall clocks say.
/// </summary>
internal sealed record HeldClaim(PartitionClaim Claim, long ValidUntil)
{
    /// <summary>The share of a claim's duration an owner acts on it, leaving room for stalls and clock-rate drift.</summary>
    public const double UsableShare = 0.7;

    public static HeldClaim From(PartitionClaim claim, long sentAt, TimeProvider time) =>
        new(claim, sentAt + (long)(claim.Duration.TotalSeconds * UsableShare * time.TimestampFrequency));

    public TimeSpan Remaining(TimeProvider time) =>
        TimeSpan.FromSeconds(Math.Max(0, ValidUntil - time.GetTimestamp()) / (double)time.TimestampFrequency);
}

/// <summary>
/// Keeps one partition's claim while a drain works on it: renews it in the background every quarter of its duration
/// and trips <see cref="Lost"/> the moment it is taken or can no longer be shown to hold, so that handling stops and
/// nothing is committed by an instance that no longer owns the partition.
/// </summary>
internal sealed partial class ClaimKeeper : IAsyncDisposable
{
    private readonly IOwnershipStore _ownership;
    private readonly string _group;
    private readonly string _topic;
    private readonly string _owner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<HeldClaim?> _changed;
    private readonly CancellationTokenSource _lost;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private HeldClaim _held;

    public ClaimKeeper(IOwnershipStore ownership, string group, string topic, string owner, HeldClaim held, TimeProvider time, ILogger logger, Action<HeldClaim?> changed)
    {
        _ownership = ownership;
        _group = group;
        _topic = topic;
        _owner = owner;
        _held = held;
        _time = time;
        _logger = logger;
        _changed = changed;
        _lost = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>Cancelled when the claim was taken or could not be renewed in time.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>True while this instance may still act on the partition.</summary>
    public bool IsValid => !_lost.IsCancellationRequested && _time.GetTimestamp() < _held.ValidUntil;

    /// <summary>Renews first when less than half of the validity is left (or none); false when the claim is gone.</summary>
    public async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        TimeSpan usable = _held.Claim.Duration * HeldClaim.UsableShare;
        if (_held.Remaining(_time) < usable / 2 && !await RenewAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _lost.CancelAfter(Clamp(_held.Remaining(_time)));

        _loop = Task.Run(() => RenewLoopAsync(_stop.Token), CancellationToken.None);
        return IsValid;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && !_lost.IsCancellationRequested)
        {
            await Task.Delay(_held.Claim.Duration / 4, _time, stop).ConfigureAwait(false);
            try
            {
                if (!await RenewAsync(stop).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Storage did not answer: keep trying while the claim lasts; the Lost timer ends it if it runs out.
                LogRenewFailed(_logger, ex, _group, _topic, _held.Claim.Partition);
            }
        }
    }

    private async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        long sentAt = _time.GetTimestamp();
        PartitionClaim? renewed = await _ownership.TryClaimAsync(_group, _topic, _held.Claim.Partition, _owner, _held.Claim, _held.Claim.Duration, cancellationToken).ConfigureAwait(false);
        if (renewed is null)
        {
            LogLost(_logger, _group, _topic, _held.Claim.Partition);
            await _lost.CancelAsync().ConfigureAwait(false);
            _changed(null);
            return false;
        }

        _held = HeldClaim.From(renewed, sentAt, _time);
        if (!_lost.IsCancellationRequested)
        {
            _lost.CancelAfter(Clamp(_held.Remaining(_time)));
        }

        _changed(_held);
        return true;
    }

    private static TimeSpan Clamp(TimeSpan remaining) => remaining <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : remaining;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} could not renew its claim on {Topic}/{Partition}; retrying while it lasts")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string group, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} lost its claim on {Topic}/{Partition} to another instance; stopping without commit")]
    private static partial void LogLost(ILogger logger, string group, string topic, int partition);
}
