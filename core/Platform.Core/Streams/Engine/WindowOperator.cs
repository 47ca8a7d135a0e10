using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>
/// Aggregates records by key into windows on event time. The watermark is the largest event time the task has seen; a
/// window closes when the watermark passes its end plus the grace, and its final result goes on (key, start, end, the
/// fields, <c>final: true</c>). A record whose windows are all closed is late: dropped and counted, or sent to the late
/// topic. Results are the same on a replay: they depend only on the records and the stored state.
/// </summary>
internal sealed class WindowOperator(WindowSetup setup) : StreamOperator
{
    private const long MaxEventTime = 95_617_584_000_000; // the year 5000
    private const long MaxAheadMs = 86_400_000;

    public override async ValueTask PushAsync(StreamRecord record, StreamContext context)
    {
        TaskState state = context.State;
        string key = record.Key ?? throw new StreamRecordException("window: the record has no key to group by (rekey it first).");
        long t = setup.EventTime(record) ?? throw new StreamRecordException("window: the record has no event time.");
        if (t is < 0 or > MaxEventTime) throw new StreamRecordException($"window: event time {t} is not a time (Unix ms from 1970 to the year 5000).");
        if (t > record.Timestamp + MaxAheadMs)
        {
            // One clock far ahead would move the watermark and close every window: refused, not trusted.
            throw new StreamRecordException($"window: event time {t} is more than a day after the record's timestamp {record.Timestamp}.");
        }
        long cut = state.Watermark == long.MinValue ? long.MinValue : state.Watermark - setup.GraceMs; // windows ending by then are closed
        bool taken = setup.Kind switch
        {
            WindowKind.Hopping hopping => AddToFixed(hopping, key, t, cut, record, state),
            WindowKind.Session session => AddToSession(session, key, t, cut, record, state),
            _ => false,
        };
        if (!taken)
        {
            state.Late++;
            if (setup.LateTopic is { } late) context.Output(late, record);
        }

        if (t > state.Watermark) state.Watermark = t;
        await CloseDueAsync(context).ConfigureAwait(false);
    }

    public override async ValueTask<bool> ResumeAsync(StreamContext context) =>
        await CloseDueAsync(context).ConfigureAwait(false) | await base.ResumeAsync(context).ConfigureAwait(false);

    public override async ValueTask EndOfBatchAsync(StreamContext context)
    {
        if (setup.EmitUpdates)
        {
            foreach (WindowState window in context.State.ChangedOpen().ToList())
            {
                await HandOnAsync(new StreamRecord(window.Key, window.Result(setup.Aggregations, final: false), window.End), context).ConfigureAwait(false);
            }
        }

        await base.EndOfBatchAsync(context).ConfigureAwait(false);
    }

    private bool AddToFixed(WindowKind.Hopping kind, string key, long t, long cut, StreamRecord record, TaskState state)
    {
        bool taken = false;
        foreach (long start in kind.Starts(t))
        {
            long end = start + kind.SizeMs;
            if (cut != long.MinValue && end <= cut) continue; // this one closed already
            WindowState? window = state.Find(start, key);
            if (window is null)
            {
                window = new WindowState(key, start, end, [.. setup.Aggregations.Select(a => a.New())]);
                state.Add(window);
            }
            else
            {
                state.Changed(window, window.End);
            }

            Add(window, record);
            taken = true;
        }

        return taken;
    }

    private bool AddToSession(WindowKind.Session kind, string key, long t, long cut, StreamRecord record, TaskState state)
    {
        if (cut != long.MinValue && t + kind.GapMs <= cut) return false; // its session would be closed already
        var joined = state.Sessions(key).Where(s => s.Start - kind.GapMs <= t && t < s.End).OrderBy(s => s.Start).ToList();
        WindowState target;
        if (joined.Count == 0)
        {
            target = new WindowState(key, t, t + kind.GapMs, [.. setup.Aggregations.Select(a => a.New())]);
            state.Add(target);
        }
        else
        {
            // The record may bridge sessions: they merge into the earliest.
            target = joined[0];
            long oldEnd = target.End;
            foreach (WindowState other in joined.Skip(1))
            {
                for (int i = 0; i < target.Fields.Length; i++) target.Fields[i].Merge(other.Fields[i]);
                target.End = Math.Max(target.End, other.End);
                state.Remove(other);
            }

            if (t < target.Start)
            {
                // Starting earlier moves the row: remove and add again under the new start.
                state.Remove(target);
                target.Start = t;
                target.End = Math.Max(target.End, t + kind.GapMs);
                state.Add(target);
            }
            else
            {
                target.End = Math.Max(target.End, t + kind.GapMs);
                state.Changed(target, oldEnd);
            }
        }

        Add(target, record);
        return true;
    }

    private void Add(WindowState window, StreamRecord record)
    {
        for (int i = 0; i < setup.Aggregations.Count; i++)
        {
            setup.Aggregations[i].Add(window.Fields[i], record.Value);
        }
    }

    /// <summary>Closes due windows, as many as the sub-batch has room for; true when some are still due.</summary>
    private async ValueTask<bool> CloseDueAsync(StreamContext context)
    {
        TaskState state = context.State;
        if (state.Watermark == long.MinValue) return false;
        while (state.FirstEndingBy(state.Watermark - setup.GraceMs) is { } window)
        {
            if (state.ChangeCount >= context.ChangeBudget) return true; // the rest in the next sub-batch
            JObject result = window.Result(setup.Aggregations, final: true);
            state.Remove(window);
            if (setup.KeepResults) context.Result(new WindowResult(window.Key, window.Start, result));
            await HandOnAsync(new StreamRecord(window.Key, result, window.End), context).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>A result a later step cannot take goes to the dead-letter topic itself, never the input that closed its window.</summary>
    private async ValueTask HandOnAsync(StreamRecord result, StreamContext context)
    {
        try
        {
            await ForwardAsync(result, context).ConfigureAwait(false);
        }
        catch (StreamRecordException e)
        {
            context.DeadLetter(result, e.Message);
        }
    }
}
