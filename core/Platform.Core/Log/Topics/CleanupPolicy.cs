namespace Platform.Core.Log.Topics;

/// <summary>What retention does with old segments (Kafka's cleanup.policy).</summary>
public enum CleanupPolicy
{
    /// <summary>Delete whole segments past retention time or size.</summary>
    Delete = 0,

    /// <summary>Keep the latest value per key; tombstones delete.</summary>
    Compact = 1,

    /// <summary>Compact, and delete past retention.</summary>
    CompactAndDelete = 2,
}
