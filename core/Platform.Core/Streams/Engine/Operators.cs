using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>Keeps records for which a predicate holds.</summary>
internal sealed class FilterOperator(Func<StreamRecord, bool> predicate) : StreamOperator
{
    public override ValueTask PushAsync(StreamRecord record, StreamContext context) =>
        UserCode.Run("filter", predicate, record) ? ForwardAsync(record, context) : ValueTask.CompletedTask;
}

/// <summary>Runs a step's function: whatever it throws is about this record (dead-lettered), never the task's failure.</summary>
internal static class UserCode
{
    public static T Run<T>(string step, Func<StreamRecord, T> function, StreamRecord record)
    {
        try
        {
            return function(record);
        }
        catch (StreamRecordException)
        {
            throw;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new StreamRecordException($"{step}: {e.Message}", e);
        }
    }
}

/// <summary>Replaces a record's value.</summary>
internal sealed class MapOperator(Func<StreamRecord, JToken?> map) : StreamOperator
{
    public override ValueTask PushAsync(StreamRecord record, StreamContext context) => ForwardAsync(record with { Value = UserCode.Run("map", map, record) }, context);
}

/// <summary>Replaces a record's key (text; a non-text result is its JSON); a record without one cannot go on.</summary>
internal sealed class RekeyOperator(Func<StreamRecord, JToken?> key, string expression) : StreamOperator
{
    public override ValueTask PushAsync(StreamRecord record, StreamContext context)
    {
        string? text = UserCode.Run("rekey", key, record) switch
        {
            null => null,
            JValue { Type: JTokenType.String } s => s.Value<string>(),
            JToken other => other.ToString(Newtonsoft.Json.Formatting.None),
        };
        return text is null
            ? throw new StreamRecordException($"rekey: '{expression}' gave no key for this record.")
            : ForwardAsync(record with { Key = text }, context);
    }
}

/// <summary>Writes records to a topic and hands them on.</summary>
internal sealed class ToOperator(string topic) : StreamOperator
{
    public override ValueTask PushAsync(StreamRecord record, StreamContext context)
    {
        context.Output(topic, record);
        return ForwardAsync(record, context);
    }
}

/// <summary>
/// Looks each record up in a table (a compacted topic's keyed view) and puts the match under a field: left keeps
/// records without one (the field null), inner drops them.
/// </summary>
internal sealed class JoinOperator(string table, Func<StreamRecord, JToken?>? on, string field, bool inner) : StreamOperator
{
    public override async ValueTask PushAsync(StreamRecord record, StreamContext context)
    {
        string? key = on is null ? record.Key : UserCode.Run("join", on, record) switch
        {
            null => null,
            JValue { Type: JTokenType.String } s => s.Value<string>(),
            JToken other => other.ToString(Newtonsoft.Json.Formatting.None),
        };
        JToken? match = key is null ? null : await context.LookupAsync(table, key).ConfigureAwait(false);
        if (match is null && inner)
        {
            return;
        }

        JObject value = record.Value is JObject o ? (JObject)o.DeepClone() : new JObject { ["value"] = record.Value?.DeepClone() };
        value[field] = match?.DeepClone() ?? JValue.CreateNull();
        await ForwardAsync(record with { Value = value }, context).ConfigureAwait(false);
    }
}
