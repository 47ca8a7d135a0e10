using System.Diagnostics;

namespace Platform.Core;

/// <summary>
/// The platform's own traces (activity source <c>Platform</c>): a span for each produce call and for each batch a
/// consumer group handles, named and tagged by the OpenTelemetry messaging conventions. Nothing is allocated (no name,
/// no tags) when no tracer listens: the produce path pays one check.
/// </summary>
public static class PlatformTracing
{
    /// <summary>The activity source name, for <c>AddSource</c>.</summary>
    public const string SourceName = "Platform";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>A producer span for sending <paramref name="count"/> records to <paramref name="topic"/> (null when nobody listens).</summary>
    internal static Activity? StartSend(string topic, int count) => !Source.HasListeners() ? null :
        Source.StartActivity($"send {topic}", ActivityKind.Producer, default(ActivityContext),
        [
            new("messaging.system", "platform"),
            new("messaging.operation.type", "send"),
            new("messaging.destination.name", topic),
            new("messaging.batch.message_count", count),
        ]);

    /// <summary>A consumer span for a group handling a batch of one partition.</summary>
    internal static Activity? StartProcess(string group, Log.TopicPartition partition, long firstOffset, int count) => !Source.HasListeners() ? null :
        Source.StartActivity($"process {partition.Topic}", ActivityKind.Consumer, default(ActivityContext),
        [
            new("messaging.system", "platform"),
            new("messaging.operation.type", "process"),
            new("messaging.destination.name", partition.Topic),
            new("messaging.destination.partition.id", partition.Partition),
            new("messaging.consumer.group.name", group),
            new("messaging.platform.offset", firstOffset),
            new("messaging.batch.message_count", count),
        ]);

    /// <summary>Marks the span failed with the exception's type and message.</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }
}
