using Platform.Core.Log.Appending;

namespace Platform.Tests.Log.Appending;

/// <summary>Group commit for waiting callers: the next batch waits for the calls the last append answered, briefly.</summary>
public sealed class CallerTurnoutTests
{
    [Fact]
    public void Before_any_append_a_batch_waits_for_nobody()
    {
        var turnout = new CallerTurnout(maxWaitMs: 20);
        Assert.Equal(1, turnout.ExpectedCalls);
        Assert.Equal(0, turnout.MaxWaitMs);
    }

    [Fact]
    public void The_next_batch_waits_for_the_calls_answered_and_queued_for_at_most_what_the_append_took()
    {
        var turnout = new CallerTurnout(maxWaitMs: 20);
        turnout.Completed(batchCalls: 6, queuedCalls: 6, appendMs: 4, contended: false);
        Assert.Equal(12, turnout.ExpectedCalls);
        Assert.Equal(4, turnout.MaxWaitMs);

        turnout.Completed(batchCalls: 12, queuedCalls: 0, appendMs: 250, contended: false);
        Assert.Equal(12, turnout.ExpectedCalls);
        Assert.Equal(20, turnout.MaxWaitMs); // a slow append never makes callers wait past the cap
    }

    [Fact]
    public void A_shared_partition_or_a_failed_append_waits_for_nobody()
    {
        var turnout = new CallerTurnout(maxWaitMs: 20);
        turnout.Completed(batchCalls: 6, queuedCalls: 6, appendMs: 4, contended: true);
        Assert.Equal(0, turnout.MaxWaitMs);

        turnout.Completed(batchCalls: 6, queuedCalls: 6, appendMs: 4, contended: false);
        turnout.Failed();
        Assert.Equal(1, turnout.ExpectedCalls);
        Assert.Equal(0, turnout.MaxWaitMs);
    }

    [Fact]
    public void A_cap_of_zero_turns_the_wait_off()
    {
        var turnout = new CallerTurnout(maxWaitMs: 0);
        turnout.Completed(batchCalls: 48, queuedCalls: 0, appendMs: 5, contended: false);
        Assert.Equal(0, turnout.MaxWaitMs);
    }
}
