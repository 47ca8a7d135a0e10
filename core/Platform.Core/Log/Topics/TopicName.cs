using System.Buffers;

namespace Platform.Core.Log.Topics;

/// <summary>Rules for topic names: they become blob path segments and table keys, so they are kept plain.</summary>
public static class TopicName
{
    /// <summary>Longest topic name.</summary>
    public const int MaxLength = 200;

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

        if (name.Length > MaxLength)
        {
            return $"Topic name is longer than {MaxLength} characters.";
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
