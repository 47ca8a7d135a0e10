using System.Buffers;

namespace Platform.Core.Log.Topics;

/// <summary>Rules for topic names: they become blob path segments and table keys, so they are kept plain.</summary>
public static class TopicName
{
    /// <summary>Longest topic name, as Kafka allows.</summary>
    public const int MaxLength = 249;

    /// <summary>Longest name of a topic that is not a dead-letter topic, so that <c>{topic}.dlq</c> fits <see cref="MaxLength"/>.</summary>
    public const int MaxSourceLength = MaxLength - 4;

    /// <summary>
    /// Longest name of a dead-letter topic (<c>….dlq</c>): a group that reads a dead-letter topic has one of its own
    /// (<c>….dlq.dlq</c>), so these may pass Kafka's 249; blob names and table keys take far more.
    /// </summary>
    public const int MaxDeadLetterLength = 512;

    /// <summary>Most partitions a topic may have.</summary>
    public const int MaxPartitions = 1024;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>Null when <paramref name="name"/> is a valid topic name, otherwise why it is not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A topic name is required.";
        }

        int max = name.EndsWith(".dlq", StringComparison.Ordinal) ? MaxDeadLetterLength : MaxSourceLength;
        if (name.Length > max)
        {
            return $"Topic name is longer than {max} characters (so that its dead-letter topic '{{name}}.dlq' fits Kafka's 249).";
        }

        if (name.AsSpan().IndexOfAnyExcept(Allowed) >= 0)
        {
            return $"Topic name '{name}' may only contain lower-case letters, digits, '.', '_' and '-'.";
        }

        if (name is "." or ".." || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"Topic name '{name}' must start with a letter or digit.";
        }

        return null;
    }
}
