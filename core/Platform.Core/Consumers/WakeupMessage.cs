using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Core.Log;

namespace Platform.Core.Consumers;

/// <summary>"Partition p of topic t has new records": the body of a wake-up queue message.</summary>
public sealed record WakeupMessage([property: JsonPropertyName("topic")] string Topic, [property: JsonPropertyName("partition")] int Partition)
{
    /// <summary>How many times this wake-up was sent again because it could not be acted on yet (bounded).</summary>
    [JsonPropertyName("hops")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Hops { get; init; }

    /// <summary>
    /// The app setting that holds the wake-up queue's storage connection, for both sides: the queue trigger's
    /// <c>Connection</c> and the sender. The Functions host always has it; the platform's data may live elsewhere.
    /// </summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";

    /// <summary>The message text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a message; null for anything that is not one (it is dropped, the sweep covers it).</summary>
    public static WakeupMessage? TryParse(string? text)
    {
        try
        {
            return text is null ? null : JsonSerializer.Deserialize<WakeupMessage>(text) is { Topic.Length: > 0, Partition: >= 0 } m ? m : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The partition named.</summary>
    public TopicPartition ToTopicPartition() => new(Topic, Partition);
}
